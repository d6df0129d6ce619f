//! The generated ruleset and records the benchmarks share: about twenty
//! typical rules (conjunctions of findings, enum tests, thresholds on
//! quantities and durations, `count`, a let, overrides) over a dozen facts.

use std::fmt::Write as _;

pub const RULES: &str = r#"
source guide "A guideline" year 2026
enum Pulse { present, diminished, absent }
enum Sensory { none, minimal, extensive, profound }
enum Weakness { none, mild_moderate, paralysis }
fact age: number years
fact unilateral: bool
fact sudden_onset: bool
fact numbness: bool
fact rest_pain: bool
fact claudication: bool
fact calf_swelling: bool
fact smoker: bool
fact diabetes: bool
fact pedal_pulses: Pulse
fact sensory_loss: Sensory
fact motor_weakness: Weakness
fact abi: number
fact ankle_pressure: number mmHg
fact symptom_duration: duration
let absent_pulse = pedal_pulses == absent
let risk_factors = count(smoker, diabetes, age >= 65 years)
action emergency(within: duration)
action urgent(within: duration)
action suspect(condition: Condition)
action order(test: Test)
action self_care()
enum Condition { ali, pad, dvt, neuropathy, cramps }
enum Test { abi, duplex, hba1c }
rule ali: absent_pulse and unilateral and sudden_onset -> emergency(6h), suspect(ali)
  cite guide
rule ali_threat overrides ali: absent_pulse and sensory_loss in {extensive, profound} -> emergency(0min), suspect(ali)
  cite guide
rule ali_paralysis: motor_weakness == paralysis and absent_pulse -> emergency(0min)
rule pad_abi: abi < 0.9 -> suspect(pad)
  cite guide
rule pad_low_pressure: ankle_pressure < 50 mmHg -> urgent(1d), suspect(pad)
rule pad_claudication: claudication and not rest_pain -> order(abi)
rule pad_rest_pain: rest_pain and symptom_duration > 2w -> urgent(2d), suspect(pad)
rule pad_risk: risk_factors >= 2 and claudication -> order(abi)
rule dvt: calf_swelling and unilateral -> order(duplex), suspect(dvt)
rule dvt_urgent: calf_swelling and symptom_duration < 2d -> urgent(1d)
rule neuro: numbness and diabetes -> suspect(neuropathy), order(hba1c)
rule neuro_progressive: numbness and sensory_loss == extensive and not diabetes -> urgent(2d)
rule diminished: pedal_pulses == diminished and age > 50 years -> order(abi)
rule cramps overrides pad_claudication: claudication and symptom_duration < 1d and not smoker -> suspect(cramps)
rule self_care_cramps overrides cramps: claudication and abi >= 1 -> self_care
rule sudden: sudden_onset and numbness and motor_weakness != none -> emergency(6h)
rule old_smoker: smoker and age >= 70 years and abi < 1 -> order(duplex)
rule long_numbness: numbness and symptom_duration > 3mo -> order(hba1c)
rule bilateral_calf: calf_swelling and not unilateral -> suspect(cramps)
rule rest_and_pulse: rest_pain and pedal_pulses != present -> urgent(1d)
"#;

/// A small deterministic generator for record values.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One JSON record with about a dozen of the facts set, the rest absent.
pub fn record(rng: &mut Rng, id: u64, out: &mut String) {
    let bools =
        ["unilateral", "sudden_onset", "numbness", "rest_pain", "claudication", "calf_swelling", "smoker", "diabetes"];
    let _ = write!(out, "{{\"id\":{id}");
    for name in bools {
        if rng.below(10) < 8 {
            let _ = write!(out, ",\"{name}\":{}", rng.below(3) == 0);
        }
    }
    let pulses = ["present", "diminished", "absent"];
    let _ = write!(out, ",\"pedal_pulses\":\"{}\"", pulses[rng.below(3) as usize]);
    if rng.below(2) == 0 {
        let _ = write!(
            out,
            ",\"sensory_loss\":\"{}\"",
            ["none", "minimal", "extensive", "profound"][rng.below(4) as usize]
        );
    }
    let _ = write!(out, ",\"age\":{}", 20 + rng.below(70));
    let _ = write!(out, ",\"abi\":{:.2}", 0.4 + rng.below(90) as f64 / 100.0);
    if rng.below(2) == 0 {
        let _ = write!(out, ",\"ankle_pressure\":\"{} mmHg\"", 30 + rng.below(100));
    }
    let _ = write!(out, ",\"symptom_duration\":\"{}{}\"", 1 + rng.below(48), ["h", "d", "w"][rng.below(3) as usize]);
    out.push('}');
}
