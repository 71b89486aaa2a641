/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `vite --mode mock` swaps the Tauri platform module for a fake with sample
// data, so the UI can be looked at in a plain browser. The fake never reaches
// the production bundle: only this alias pulls it in.
export default defineConfig(({ mode }) => ({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: false },
  resolve: {
    alias:
      mode === "mock"
        ? [
            {
              find: /^(\.{1,2}\/)+platform$/,
              replacement: fileURLToPath(new URL("./src/mock/mockPlatform.ts", import.meta.url)),
            },
          ]
        : [],
  },
  build: {
    outDir: mode === "mock" ? "dist-mock" : "dist",
    target: "es2021",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
}));
