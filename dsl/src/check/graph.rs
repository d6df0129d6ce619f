//! Dependency graphs (lets on lets, rules overriding rules): an order and
//! the cycles.

use std::collections::{BTreeMap, BTreeSet};

/// Orders a dependency graph (dependencies first) and finds its cycles.
/// A depth-first search with an explicit stack: a chain of 100,000 lets
/// (or of overriding rules) is as safe as a short one.
pub(crate) fn topological_order(deps: &BTreeMap<&str, Vec<String>>) -> (Vec<String>, Vec<Vec<String>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut order = Vec::new();
    let mut cycles = BTreeSet::new();
    // The search path: each node with the index of its next dependency.
    let mut path: Vec<(&str, usize)> = Vec::new();
    for &root in deps.keys() {
        if marks.contains_key(root) {
            continue;
        }
        marks.insert(root, Mark::Visiting);
        path.push((root, 0));
        while let Some((node, next)) = path.last_mut() {
            let node: &str = node;
            let Some(dependency) = deps.get(node).and_then(|list| list.get(*next)) else {
                path.pop();
                marks.insert(node, Mark::Done);
                order.push(node.to_owned());
                continue;
            };
            *next += 1;
            let Some((&key, _)) = deps.get_key_value(dependency.as_str()) else { continue };
            match marks.get(key) {
                Some(Mark::Done) => {}
                Some(Mark::Visiting) => {
                    if let Some(position) = path.iter().position(|(n, _)| *n == key) {
                        let mut cycle: Vec<String> = path[position..].iter().map(|(n, _)| (*n).to_owned()).collect();
                        if let Some(min) = cycle.iter().enumerate().min_by_key(|(_, n)| n.as_str()).map(|(i, _)| i) {
                            cycle.rotate_left(min);
                        }
                        cycles.insert(cycle);
                    }
                }
                None => {
                    marks.insert(key, Mark::Visiting);
                    path.push((key, 0));
                }
            }
        }
    }
    let in_cycle: BTreeSet<&String> = cycles.iter().flatten().collect();
    order.retain(|name| !in_cycle.contains(name));
    (order, cycles.into_iter().collect())
}
