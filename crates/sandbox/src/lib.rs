//! patchbay-sandbox: a faithful local emulator of the Fergus API.
