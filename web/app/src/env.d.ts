// The app runs in browsers. The workspace's tsconfig.json (Node, no DOM) also checks these
// files, so they name the libraries they need here; web/app/tsconfig.json is the app's own.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference types="vite/client" />
