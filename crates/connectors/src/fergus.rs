//! The Fergus connector (personal access token).
