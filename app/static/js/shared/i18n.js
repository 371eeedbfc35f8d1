/*
 * UI text. Every page renders its strings, translated server-side (Babel), into a JSON
 * config block; scripts only look them up and fill in `{name}` placeholders.
 */

/** The JSON config block with this id, or null when the page has none. */
export function readConfig(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** Lookups into one page's strings: t(key, vars), has(key), plural(prefix, n). */
export function createI18n(strings, lang) {
  const S = strings || {};
  const rules = typeof Intl === "object" && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function t(key, vars) {
    let text = S[key] != null ? String(S[key]) : key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) => (vars[name] != null ? String(vars[name]) : whole));
    }
    return text;
  }

  function has(key) {
    return S[key] != null;
  }

  /** Whether n takes the singular in this language (French: 0 and 1 do). */
  function isOne(n) {
    return rules ? rules.select(n) === "one" : n === 1;
  }

  /**
   * `<prefix>_zero` for 0 when the page has it, else `<prefix>_one` / `<prefix>_other` by
   * the language's plural rule, with `{n}` formatted for the language.
   */
  function plural(prefix, n) {
    if (n === 0 && has(prefix + "_zero")) return t(prefix + "_zero");
    return t(prefix + (isOne(n) ? "_one" : "_other"), { n: n.toLocaleString(lang) });
  }

  return { t, has, isOne, plural, lang };
}
