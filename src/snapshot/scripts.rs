//! Script names: which script the `scriptId` of a constructor location is.
//!
//! Class keys carry `scriptId:line:column`, which nobody can read, and a
//! snapshot has no list of scripts. It names them all the same: a closure
//! has a `shared` edge to its SharedFunctionInfo, which has a `script` edge
//! (`script_or_debug_info` in Node 20's V8) to the Script, a node named
//! after the script's name or URL (Chromium and Deno write
//! `system / Script / URL`). The `locations` section lists every closure
//! with its script id, so one pass over it names each script of which a
//! closure is still alive; a script without one keeps its bare id.

use rustc_hash::FxHashMap as HashMap;

use super::graph::{HeapGraph, Location};

/// Chromium's and Deno's prefix of a Script node's name; alone, the script
/// has no name.
const SCRIPT_NODE_PREFIX: &str = "system / Script";

/// The SharedFunctionInfo's edge to its Script: `script` in V8 12 and
/// later (Node 22+, Chromium, Deno), `script_or_debug_info` before (Node
/// 20), which reaches a DebugInfo while a debugger is attached: that one's
/// `script` edge leads on.
const SCRIPT_EDGES: [&str; 2] = ["script", "script_or_debug_info"];

/// Script names by script id, built once per snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptNames {
    by_id: HashMap<u32, String>,
}

impl ScriptNames {
    /// Names the scripts of `graph`'s located closures. Reads only the
    /// nodes `locations` lists and a few edges of each, and stops looking
    /// for a script once it is named or known to have no name.
    ///
    /// # Complexity
    /// O(locations + edges of the closures and functions followed).
    pub fn of(graph: &HeapGraph) -> ScriptNames {
        let closure = graph.layout.types.closure;
        // None: the script was reached and has no name.
        let mut found: HashMap<u32, Option<String>> = HashMap::default();
        for (node, location) in graph.locations.iter() {
            if found.contains_key(&location.script_id) || !graph.is_type(node, closure) {
                continue;
            }
            if let Some(script) = script_node(graph, node) {
                found.insert(location.script_id, script_name(graph.name(script)));
            }
        }
        let by_id = found
            .into_iter()
            .filter_map(|(id, name)| Some((id, name?)))
            .collect();
        ScriptNames { by_id }
    }

    /// From `(script id, name)` pairs (tests, and names merged across
    /// snapshots).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (u32, String)>) -> ScriptNames {
        ScriptNames {
            by_id: pairs.into_iter().collect(),
        }
    }

    /// The names of several snapshots of one program, later snapshots first
    /// where two name the same id differently (a restarted program reuses
    /// ids).
    pub fn merged<'a>(oldest_first: impl IntoIterator<Item = &'a ScriptNames>) -> ScriptNames {
        let mut by_id = HashMap::default();
        for names in oldest_first {
            by_id.extend(names.by_id.iter().map(|(&id, name)| (id, name.clone())));
        }
        ScriptNames { by_id }
    }

    /// `(script id, name)` of every named script, in no order.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, &str)> {
        self.by_id.iter().map(|(&id, name)| (id, name.as_str()))
    }

    /// The script's full name or URL, when a closure of it names it.
    pub fn name(&self, script_id: u32) -> Option<&str> {
        self.by_id.get(&script_id).map(String::as_str)
    }

    /// How many scripts are named.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// `server.js:82:19`: the script's short name (see [`short_name`]), or
    /// its bare id where no closure names it (`127:82:19`).
    pub fn short_label(&self, location: Location) -> String {
        self.label(location, short_name)
    }

    /// `/srv/app/server.js:82:19`: the script's full name, or its bare id.
    pub fn full_label(&self, location: Location) -> String {
        self.label(location, |name| name)
    }

    fn label(&self, location: Location, shorten: impl Fn(&str) -> &str) -> String {
        match self.name(location.script_id) {
            Some(name) => format!("{}:{}:{}", shorten(name), location.line, location.column),
            None => location.to_string(),
        }
    }
}

/// The last path segment of a script's name or URL (`/srv/app/server.js`,
/// `file:///srv/app/server.js` → `server.js`; `node:internal/errors` →
/// `errors`), or the whole name when it has none.
pub fn short_name(name: &str) -> &str {
    let trimmed = name.trim_end_matches(['/', '\\']);
    match trimmed.rfind(['/', '\\']) {
        Some(slash) if slash + 1 < trimmed.len() => &trimmed[slash + 1..],
        _ => name,
    }
}

/// The Script node of a closure: closure → `shared` → `script`, and on
/// through a DebugInfo's own `script` edge.
fn script_node(graph: &HeapGraph, closure: u32) -> Option<u32> {
    let shared = edge_named(graph, closure, &["shared"])?;
    let script = edge_named(graph, shared, &SCRIPT_EDGES)?;
    Some(edge_named(graph, script, &["script"]).unwrap_or(script))
}

/// The target of `n`'s first edge named one of `names`. Names are compared
/// without reading back strings left on disk whose length differs (a
/// WeakMap key's long entry names).
fn edge_named(graph: &HeapGraph, n: u32, names: &[&str]) -> Option<u32> {
    graph
        .edges(n)
        .find(|&e| {
            graph.edge_has_string_name(e)
                && names
                    .iter()
                    .any(|name| graph.strings.is(graph.edge_name(e), name))
        })
        .map(|e| graph.edge_to[e])
}

/// A Script node's name without Chromium's prefix; None when it has none.
fn script_name(node_name: &str) -> Option<String> {
    let name = match node_name.strip_prefix(SCRIPT_NODE_PREFIX) {
        Some(rest) => rest.strip_prefix(" / ")?,
        None => node_name,
    };
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// A closure of `script` (a Script node named `name`) located in script
    /// `id`, and a `Session` object built by it, kept by the root.
    fn closure_of(s: &mut TestSnapshot, id: u32, name: &str, edge: &str, first_id: u64) {
        let closure = s.node("closure", "Session", first_id, 32);
        let shared = s.node("code", "(shared function info)", first_id + 2, 40);
        let script = s.node("code", name, first_id + 4, 60);
        let object = s.node("object", "Session", first_id + 6, 16);
        s.edge(0, "element", &first_id.to_string(), closure);
        s.edge(0, "element", &(first_id + 6).to_string(), object);
        s.edge(closure, "internal", "shared", shared);
        s.edge(shared, "internal", edge, script);
        s.location(closure, id, 3, 0);
        s.location(object, id, 82, 19);
    }

    #[test]
    fn closures_name_their_scripts() {
        let mut s = TestSnapshot::new();
        closure_of(&mut s, 127, "/srv/app/server.js", "script", 3);
        closure_of(
            &mut s,
            5,
            "system / Script / file:///x/page.html",
            "script",
            13,
        );
        closure_of(&mut s, 9, "node:dgram", "script_or_debug_info", 23);
        closure_of(&mut s, 2, "system / Script", "script", 33);
        closure_of(&mut s, 4, "", "script", 43);
        // An object located in a script none of whose closures survives.
        let orphan = s.node("object", "Orphan", 53, 16);
        s.edge(0, "element", "53", orphan);
        s.location(orphan, 77, 1, 2);
        let analysis = s.analyze();
        let scripts = &analysis.scripts;
        assert_eq!(scripts.name(127), Some("/srv/app/server.js"));
        assert_eq!(scripts.name(5), Some("file:///x/page.html"), "prefix gone");
        assert_eq!(scripts.name(9), Some("node:dgram"), "Node 20's edge name");
        assert_eq!(scripts.name(2), None, "Chromium's unnamed script");
        assert_eq!(scripts.name(4), None, "Node's unnamed script");
        assert_eq!(scripts.name(77), None, "no closure of it");
        assert_eq!(scripts.len(), 3);
        let session = analysis
            .aggregates
            .iter()
            .find(|a| a.name == "Session" && a.location.is_some_and(|l| l.script_id == 127))
            .and_then(|a| a.location)
            .expect("the located Session class");
        assert_eq!(scripts.short_label(session), "server.js:82:19");
        assert_eq!(scripts.full_label(session), "/srv/app/server.js:82:19");
        let orphan = analysis.class("Orphan").location.expect("located");
        assert_eq!(scripts.short_label(orphan), "77:1:2", "the bare id stays");
    }

    /// A debugger's DebugInfo sits between the function and its script.
    #[test]
    fn a_debug_info_leads_on_to_the_script() {
        let mut s = TestSnapshot::new();
        let closure = s.node("closure", "f", 3, 32);
        let shared = s.node("code", "(shared function info)", 5, 40);
        let debug = s.node("code", "system / DebugInfo", 7, 40);
        let script = s.node("code", "/srv/app/debugged.js", 9, 60);
        s.edge(0, "element", "1", closure);
        s.edge(closure, "internal", "shared", shared);
        s.edge(shared, "internal", "script_or_debug_info", debug);
        s.edge(debug, "internal", "script", script);
        s.location(closure, 12, 0, 0);
        assert_eq!(s.analyze().scripts.name(12), Some("/srv/app/debugged.js"));
    }

    #[test]
    fn short_names_are_the_last_path_segment() {
        assert_eq!(short_name("/srv/app/server.js"), "server.js");
        assert_eq!(short_name("file:///srv/app/page.html"), "page.html");
        assert_eq!(short_name("https://example.com/a/app.js?v=3"), "app.js?v=3");
        assert_eq!(short_name("C:\\app\\main.js"), "main.js");
        assert_eq!(short_name("node:dgram"), "node:dgram");
        assert_eq!(short_name("node:internal/errors"), "errors");
        assert_eq!(short_name("https://example.com/"), "example.com");
        assert_eq!(short_name("/"), "/");
        assert_eq!(short_name("[eval]"), "[eval]");
    }

    /// Later snapshots win where two name one id differently.
    #[test]
    fn merged_names_prefer_the_later_snapshot() {
        let old = ScriptNames::from_pairs([(1, "a.js".to_owned()), (2, "b.js".to_owned())]);
        let new = ScriptNames::from_pairs([(2, "c.js".to_owned())]);
        let merged = ScriptNames::merged([&old, &new]);
        assert_eq!(merged.name(1), Some("a.js"));
        assert_eq!(merged.name(2), Some("c.js"));
    }
}
