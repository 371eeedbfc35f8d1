// Lists the operations of /openapi.json; no third-party script, no CDN.
(async function () {
  const list = document.getElementById("paths");
  const spec = await (await fetch("/openapi.json")).json();
  list.textContent = "";
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const item = document.createElement("li");
      const verb = document.createElement("span");
      verb.className = "m";
      verb.textContent = method.toUpperCase();
      const code = document.createElement("code");
      code.textContent = path;
      item.append(verb, code, " — " + (op.summary || op.description || ""));
      list.append(item);
    }
  }
})();
