//! A test of the code's shape: no two modules of a crate import each other (a parent that
//! re-exports a child while the child uses the parent counts). Paths are read from the source:
//! `crate::…`, `super::…` and `self::…` (groups included), and a module's use of its children.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    type Module = Vec<String>;

    /// Every module of the crate whose root is `src`, by path (the crate root is `[]`); binaries
    /// (`main.rs`, `bin/`) are crates of their own and left out.
    fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
        let mut found = BTreeMap::new();
        let mut dirs = vec![src.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Ok(rel) = path.strip_prefix(src) else { continue };
                let Some(rel) = rel.to_str().and_then(|r| r.strip_suffix(".rs")) else { continue };
                let mut module: Module = rel.split('/').map(String::from).collect();
                if module == ["main"] || module[0] == "bin" {
                    continue;
                }
                if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                    module.pop();
                }
                found.insert(module, path);
            }
        }
        found
    }

    /// The paths a use tree names, e.g. `a::{b, c::{d, e}}` → a::b, a::c::d, a::c::e.
    fn expand(text: &str) -> Vec<Module> {
        let text = text.trim_start();
        if let Some(inner) = text.strip_prefix('{') {
            let (mut out, mut depth, mut start) = (Vec::new(), 0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.extend(expand(&inner[start..i]));
                        return out;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.extend(expand(&inner[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return out;
        }
        let ident: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if ident.is_empty() {
            return Vec::new();
        }
        let rest = text[ident.len()..].strip_prefix("::").map(expand).unwrap_or_default();
        if rest.is_empty() {
            return vec![vec![ident]];
        }
        rest.into_iter().map(|tail| std::iter::once(ident.clone()).chain(tail).collect()).collect()
    }

    /// Where `word` starts a path in `text` (not inside another identifier or path).
    fn starts(text: &str, word: &str) -> Vec<usize> {
        text.match_indices(word)
            .map(|(i, _)| i)
            .filter(|&i| !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'))
            .collect()
    }

    /// The modules each module of the crate at `src` uses.
    fn imports(src: &Path) -> BTreeSet<(Module, Module)> {
        let modules = modules(src);
        let mut edges = BTreeSet::new();
        for (module, path) in &modules {
            let source = std::fs::read_to_string(path).unwrap();
            let code = source.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            for (word, base) in [
                ("crate::", vec![]),
                ("super::", module[..module.len().saturating_sub(1)].to_vec()),
                ("self::", module.clone()),
            ] {
                for at in starts(code, word) {
                    for named in expand(&code[at + word.len()..]) {
                        let mut full = base.clone();
                        full.extend(named);
                        let used = (0..=full.len()).rev().map(|n| &full[..n]).find(|p| modules.contains_key(*p));
                        if let Some(used) = used.filter(|u| *u != module.as_slice()) {
                            edges.insert((module.clone(), used.to_vec()));
                        }
                    }
                }
            }
            for child in modules.keys().filter(|k| k.len() == module.len() + 1 && k.starts_with(module)) {
                if !starts(code, &format!("{}::", child[module.len()])).is_empty() {
                    edges.insert((module.clone(), child.clone()));
                }
            }
        }
        edges
    }

    #[test]
    fn no_two_modules_import_each_other() {
        let root = crate::workspace_root();
        let crates = ["src", "crates/api/src", "crates/server/src", "crates/e2e/src", "crates/bench/src", "xtask/src"];
        let mut cycles = Vec::new();
        for src in crates {
            let edges = imports(&root.join(src));
            for (a, b) in &edges {
                if a < b && edges.contains(&(b.clone(), a.clone())) {
                    cycles.push(format!("{src}: {} <-> {}", name(a), name(b)));
                }
            }
        }
        assert!(cycles.is_empty(), "modules that import each other:\n{}", cycles.join("\n"));
    }

    fn name(module: &Module) -> String {
        if module.is_empty() {
            "(crate root)".into()
        } else {
            module.join("::")
        }
    }

    #[test]
    fn use_trees_expand_and_paths_start_at_a_boundary() {
        let paths = expand("{a, b::{c, d as e}, f::g}::rest");
        assert_eq!(paths, [vec!["a"], vec!["b", "c"], vec!["b", "d"], vec!["f", "g"]]);
        assert_eq!(starts("use crate::x; my_crate::y; a::crate::z", "crate::"), [4]);
    }

    #[test]
    fn finds_a_parent_and_child_that_import_each_other() {
        let src = std::env::temp_dir().join(format!("seams-{}", std::process::id()));
        std::fs::create_dir_all(src.join("store")).unwrap();
        std::fs::write(src.join("lib.rs"), "mod store;\nmod api;\n").unwrap();
        std::fs::write(src.join("api.rs"), "use crate::store::{Store, links::find};\n").unwrap();
        std::fs::write(src.join("store/mod.rs"), "mod links;\npub use links::find;\npub struct Store;\n").unwrap();
        std::fs::write(src.join("store/links.rs"), "use super::Store;\npub fn find() {}\n").unwrap();
        let edges = imports(&src);
        std::fs::remove_dir_all(&src).unwrap();
        let m = |path: &[&str]| path.iter().map(|s| s.to_string()).collect::<Module>();
        assert!(edges.contains(&(m(&["store"]), m(&["store", "links"]))), "{edges:?}");
        assert!(edges.contains(&(m(&["store", "links"]), m(&["store"]))), "{edges:?}");
        assert!(edges.contains(&(m(&["api"]), m(&["store", "links"]))), "{edges:?}");
        assert!(!edges.contains(&(m(&["store"]), m(&["api"]))), "{edges:?}");
    }
}
