//! Shared set-up for the fuzz targets in `fuzz_targets/`: the rulesets they
//! read records against, the shipped `leg_pain` files, and one tokio
//! runtime for the language-server targets (made once per process, not
//! once per input).

use std::path::PathBuf;
use std::sync::OnceLock;

/// A small ruleset with one fact of every type (and short names, so that
/// mutations find them): records read against it exercise every value form.
pub const ALL_TYPES: &str = "
enum Pulse { present, diminished, absent }
fact flag: bool
fact count: number
fact pressure: number mmHg
fact onset: duration
fact pulse: Pulse
fact note: string
let high = pressure > 140 mmHg
action act()
action warn(within: duration)
rule r_flag: flag -> act
rule r_count: count >= 2 and not flag -> act
rule r_high: high or onset < 2h -> warn(6h)
rule r_pulse: pulse == absent and note == \"x\" -> act
rule r_sum: count + 1 > 3 or known(note) -> warn(1d)
";

/// The folder of the shipped `leg_pain` ruleset, canonical (the language
/// server keys files by their path, so the fresh check must use the same).
pub fn leg_pain_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rulesets/leg_pain");
    dir.canonicalize().unwrap_or(dir)
}

/// The `.osl` files of `leg_pain` as `(path, text)`, sorted by path.
pub fn leg_pain_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = leg_pain_dir();
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                (path.extension()? == "osl").then_some(path)
            })
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
                (path.to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no .osl files in {}", dir.display());
        files
    })
}

/// The compiled rulesets the record targets use: `ALL_TYPES` and `leg_pain`.
pub fn record_rulesets() -> &'static [osler_engine::Ruleset; 2] {
    static RULESETS: OnceLock<[osler_engine::Ruleset; 2]> = OnceLock::new();
    RULESETS.get_or_init(|| {
        let all_types = osler_engine::Ruleset::from_sources(&[("all_types.osl".to_owned(), ALL_TYPES.to_owned())])
            .unwrap_or_else(|error| panic!("ALL_TYPES does not check: {error}"));
        let leg_pain = osler_engine::Ruleset::from_sources(leg_pain_files())
            .unwrap_or_else(|error| panic!("leg_pain does not check: {error}"));
        [all_types, leg_pain]
    })
}

/// The runtime the language-server targets run their sessions on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|error| panic!("cannot start the tokio runtime: {error}"))
    })
}

/// A model as JSON with every `location` (declaration line) removed, for
/// comparing the models of a file before and after formatting.
pub fn model_without_locations(model: &osler_dsl::model::Model) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("location");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(model).unwrap_or_else(|error| panic!("the model does not serialize: {error}"));
    strip(&mut value);
    value
}
