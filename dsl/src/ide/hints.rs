//! Signature help (the action call around the cursor) and inlay hints
//! (a let's type, a quantity fact's unit, argument names), the types being
//! the ones the checker computed.

use super::context::{CompletionContext, completion_context};
use super::describe::{action_signature, doc_of};
use super::names::{Target, declaring_item, info, name_uses};
use crate::db::{Ruleset, SourceFile, file_items};
use crate::syntax::{ActionCall, DeclKind, Expect, ExprKind};
use crate::types::Ty;

/// The action call around the cursor: its signature, parameter ranges in
/// the label, and the parameter being written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureInfo {
    /// `name(p: T, q: U)`.
    pub label: String,
    /// Each parameter's byte range in the label.
    pub parameters: Vec<(u32, u32)>,
    /// The parameter at the cursor (0 for the first).
    pub active_parameter: u32,
    /// The action's doc comment.
    pub documentation: Option<String>,
}

/// Signature help at `offset`, when it is among an action call's
/// arguments.
pub fn signature_help(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> Option<SignatureInfo> {
    let text = file.text(db);
    let value_type = |name: &str| info(db, ruleset, name).value_type().cloned();
    let context = completion_context(text, offset, &value_type);
    let CompletionContext::Argument { action, index } = context else {
        return None;
    };
    let (label, parameters) = action_signature(db, ruleset, &action)?;
    let documentation = doc_of(db, declaring_item(db, ruleset, &Target::Action(action)));
    Some(SignatureInfo { label, parameters, active_parameter: index as u32, documentation })
}

/// What an inlay hint shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InlayKind {
    /// A type (or a unit).
    Type,
    /// An argument's parameter name.
    Parameter,
}

/// One inlay hint.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InlayHintInfo {
    /// Where it goes, absolute in its file.
    pub offset: u32,
    /// What it says (`: bool`, `[mmHg]`, `within:`).
    pub label: String,
    /// What it is.
    pub kind: InlayKind,
}

/// Hints where they help: a let's inferred type after its name, the unit
/// of a quantity fact where it is used, and parameter names before action
/// arguments.
pub fn inlay_hints(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<InlayHintInfo> {
    let mut out = Vec::new();
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        for name in name_uses(db, ruleset, item) {
            let end = name.span.end + offset;
            match (&name.target, &name.ty) {
                (Some(Target::Let(_)), Some(ty)) if name.declaration && !ty.is_error() => {
                    out.push(InlayHintInfo { offset: end, label: format!(": {ty}"), kind: InlayKind::Type });
                }
                (Some(Target::Fact(_)), Some(Ty::Quantity(unit))) if !name.declaration => {
                    out.push(InlayHintInfo { offset: end, label: format!("[{unit}]"), kind: InlayKind::Type });
                }
                _ => {}
            }
        }
    }
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        let calls: Vec<&ActionCall> = match &item.syntax(db).kind {
            DeclKind::Rule(rule) => rule.actions.iter().collect(),
            DeclKind::Test(test) => test.expects.iter().filter_map(Expect::action).collect(),
            _ => Vec::new(),
        };
        for call in calls {
            let Some(params) = info(db, ruleset, &call.name.text).action else { continue };
            // Named arguments say their parameter already (and come last).
            let positional = call.args.iter().flatten().filter(|arg| !matches!(arg.kind, ExprKind::Named { .. }));
            for (arg, (param, _)) in positional.zip(&params) {
                out.push(InlayHintInfo {
                    offset: arg.span.start + offset,
                    label: format!("{param}:"),
                    kind: InlayKind::Parameter,
                });
            }
        }
    }
    out.sort_by_key(|hint| hint.offset);
    out
}
