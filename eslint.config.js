// ESLint flat config: `npx eslint app/static tests/js bench` (run by bin/test).
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // app/static/vendor/: npm's minified browser builds, copied there by bin/setup.
    ignores: ["node_modules/", ".venv/", "var/", "app/static/vendor/"],
  },
  js.configs.recommended,
  {
    // The front end: native ES modules loaded by <script type="module">, no bundler.
    files: ["app/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
  {
    // Classic scripts: the loader shops embed with a plain <script> tag, the API docs page.
    files: ["app/static/widget.js", "app/static/api_docs.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    // The loader keeps its old-browser style (ES5, `catch (e)` with e unused).
    rules: { "no-unused-vars": ["error", { caughtErrors: "none" }] },
  },
  {
    // Unit tests of the browser-free modules, run by `node --test`.
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
  {
    // The bench's Node scripts: the load generator and the socket.io reference server.
    files: ["bench/**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
];
