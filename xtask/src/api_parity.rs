//! `cargo xtask api-parity`: both clients offer one API. Every public method of the
//! client types (and every name the crates export) is read from the sources of
//! `cos-tokio` and `cos-blocking` with `syn`, written as a signature without `async`
//! and without the `Send`/`Sync`/`'static`/`Unpin` bounds only futures need, and
//! compared. A difference fails the check unless `xtask/api-parity.allow` lists it with
//! a reason; an entry that no longer matches a difference fails it too.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{ImplItem, Item, UseTree, Visibility};

/// The allowlist, relative to the workspace root.
pub const ALLOWLIST: &str = "xtask/api-parity.allow";

/// One side's public API: `Type::method` (or `export::Name`, `Type: impl Trait`) to its
/// normalized signature.
pub type Api = BTreeMap<String, String>;

/// A difference between the two clients' APIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `Type::method`, `export::Name` or `Type: impl Trait`.
    pub item: String,
    /// The signature in `cos-tokio`, if it has the item.
    pub tokio: Option<String>,
    /// The signature in `cos-blocking`, if it has the item.
    pub blocking: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.tokio, &self.blocking) {
            (Some(_), None) => write!(f, "{}: only in cos-tokio", self.item),
            (None, Some(_)) => write!(f, "{}: only in cos-blocking", self.item),
            (Some(a), Some(b)) => write!(
                f,
                "{}: signatures differ\n    cos-tokio:    {a}\n    cos-blocking: {b}",
                self.item
            ),
            (None, None) => write!(f, "{}: in neither", self.item),
        }
    }
}

/// `cargo xtask api-parity`: the check, closing with `api-parity: N passed, M failed`.
pub fn run() -> std::process::ExitCode {
    match check(&crate::ci::workspace_root()) {
        Ok(()) => {
            println!("api-parity: 1 passed, 0 failed");
            std::process::ExitCode::SUCCESS
        }
        Err(why) => {
            println!("{why}\napi-parity: 0 passed, 1 failed");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the check from the workspace root; prints every difference and the verdict.
pub fn check(root: &Path) -> Result<(), String> {
    let tokio = crate_api(&root.join("crates/cos-tokio/src"))?;
    let blocking = crate_api(&root.join("crates/cos-blocking/src"))?;
    let allow_path = root.join(ALLOWLIST);
    let allowlist = std::fs::read_to_string(&allow_path)
        .map_err(|e| format!("{}: {e}", allow_path.display()))?;
    let allowed = parse_allowlist(&allowlist)?;
    let differences = compare(&tokio, &blocking);
    let unexplained: Vec<&Difference> = differences
        .iter()
        .filter(|d| !allowed.contains_key(&d.item))
        .collect();
    let stale: Vec<&String> = allowed
        .keys()
        .filter(|item| !differences.iter().any(|d| &d.item == *item))
        .collect();
    println!(
        "api-parity: {} items in cos-tokio, {} in cos-blocking, {} allowed differences",
        tokio.len(),
        blocking.len(),
        differences.len() - unexplained.len()
    );
    for difference in &unexplained {
        println!("  not in {ALLOWLIST}: {difference}");
    }
    for item in &stale {
        println!("  {ALLOWLIST} lists {item}, which no longer differs");
    }
    if unexplained.is_empty() && stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} unexplained difference(s), {} stale allowlist entr(ies)",
            unexplained.len(),
            stale.len()
        ))
    }
}

/// The allowlist's entries: `ITEM: REASON` per line; `#` starts a comment. Every entry
/// needs a reason.
pub fn parse_allowlist(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut entries = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (item, reason) = line
            .split_once(" -- ")
            .map(|(i, r)| (i.trim(), r.trim()))
            .filter(|(i, r)| !i.is_empty() && !r.is_empty())
            .ok_or_else(|| format!("{ALLOWLIST}:{}: want `ITEM -- REASON`", number + 1))?;
        entries.insert(item.to_owned(), reason.to_owned());
    }
    Ok(entries)
}

/// Every item either side has that the other lacks or declares differently.
pub fn compare(tokio: &Api, blocking: &Api) -> Vec<Difference> {
    let mut items: Vec<&String> = tokio.keys().chain(blocking.keys()).collect();
    items.sort();
    items.dedup();
    items
        .into_iter()
        .filter_map(|item| {
            let (a, b) = (tokio.get(item), blocking.get(item));
            (a != b).then(|| Difference {
                item: item.clone(),
                tokio: a.cloned(),
                blocking: b.cloned(),
            })
        })
        .collect()
}

/// The public API of the crate whose sources are under `src`.
pub fn crate_api(src: &Path) -> Result<Api, String> {
    let mut api = Api::new();
    for path in rust_files(src)? {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let is_root = path.file_name().is_some_and(|n| n == "lib.rs");
        collect(&file.items, is_root, &mut api);
    }
    Ok(exported_only(api))
}

/// Keeps the items of the types the crate exports (a private type's methods, and impls
/// of the crate's private traits, are not API).
pub fn exported_only(api: Api) -> Api {
    let exported: Vec<String> = api
        .keys()
        .filter_map(|key| key.strip_prefix("export::"))
        .map(str::to_owned)
        .collect();
    let private_traits: Vec<String> = api
        .keys()
        .filter_map(|key| key.strip_prefix("trait::"))
        .filter(|name| !exported.iter().any(|e| e == name))
        .map(str::to_owned)
        .collect();
    api.into_iter()
        .filter(|(key, _)| {
            if key.starts_with("export::") {
                return true;
            }
            let exported_type = key
                .split([':', ' '])
                .next()
                .is_some_and(|ty| exported.iter().any(|e| e == ty));
            let private_impl = key
                .split_once(": impl ")
                .is_some_and(|(_, name)| private_traits.iter().any(|t| t == name));
            exported_type && !private_impl
        })
        .collect()
}

/// Collects the API from one file's (or inline module's) items.
fn collect(items: &[Item], is_root: bool, api: &mut Api) {
    for item in items {
        match item {
            Item::Impl(block) if !is_test(&block.attrs) => {
                let Some(ty) = type_name(&block.self_ty) else {
                    continue;
                };
                if let Some((_, trait_path, _)) = &block.trait_ {
                    let name = trait_path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    // Formatting and conversions are not API a caller chooses between.
                    if !matches!(
                        name.as_str(),
                        "Debug" | "Display" | "From" | "Default" | "Drop"
                    ) {
                        api.insert(format!("{ty}: impl {name}"), name);
                    }
                    continue;
                }
                for member in &block.items {
                    match member {
                        ImplItem::Fn(function)
                            if matches!(function.vis, Visibility::Public(_))
                                && !is_test(&function.attrs) =>
                        {
                            let key = format!("{ty}::{}", function.sig.ident);
                            api.insert(key, signature(&function.sig));
                        }
                        // Methods a shared macro declares: both sides must expand it.
                        ImplItem::Macro(invocation) => {
                            let path = invocation.mac.path.to_token_stream().to_string();
                            api.insert(format!("{ty}: expands {path}!"), path);
                        }
                        _ => {}
                    }
                }
            }
            Item::Use(declaration)
                if is_root && matches!(declaration.vis, Visibility::Public(_)) =>
            {
                let mut names = Vec::new();
                exported_names(&declaration.tree, &mut names);
                for name in names {
                    api.insert(format!("export::{name}"), name);
                }
            }
            Item::Trait(definition) => {
                api.insert(format!("trait::{}", definition.ident), String::new());
            }
            Item::Mod(module) if !is_test(&module.attrs) => {
                if let Some((_, inner)) = &module.content {
                    collect(inner, false, api);
                }
            }
            _ => {}
        }
    }
}

/// A signature as both clients must declare it, in one canonical form: no `async`, no
/// auto-trait or lifetime bounds (a future that crosses threads needs them; a blocking
/// call does not), every bound in the `where` clause, types by their last path segment,
/// no `mut` on bindings, no trailing commas.
pub fn signature(sig: &syn::Signature) -> String {
    let mut sig = sig.clone();
    sig.asyncness = None;
    Canonical.visit_signature_mut(&mut sig);
    let mut moved = Vec::new();
    for param in &mut sig.generics.params {
        if let syn::GenericParam::Type(param) = param
            && !param.bounds.is_empty()
        {
            let (ident, bounds) = (&param.ident, &param.bounds);
            moved.push(syn::parse_quote!(#ident: #bounds));
            param.bounds.clear();
            param.colon_token = None;
        }
    }
    let clause = sig.generics.make_where_clause();
    let mut predicates: Vec<syn::WherePredicate> = moved;
    predicates.extend(clause.predicates.iter().cloned());
    clause.predicates = predicates
        .into_iter()
        .filter_map(|predicate| match predicate {
            syn::WherePredicate::Type(mut typed) => {
                typed.bounds = typed.bounds.into_iter().filter(is_kept).collect();
                (!typed.bounds.is_empty()).then_some(syn::WherePredicate::Type(typed))
            }
            other => Some(other),
        })
        .collect();
    if clause.predicates.is_empty() {
        sig.generics.where_clause = None;
    }
    let text = sig.to_token_stream().to_string();
    let text = text
        .replace(" ,)", ")")
        .replace(" , >", " >")
        .replace(", ,", ",");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a bound says something a caller of a blocking method would see too.
fn is_kept(bound: &syn::TypeParamBound) -> bool {
    match bound {
        syn::TypeParamBound::Lifetime(_) => false,
        syn::TypeParamBound::Trait(bound) => !bound
            .path
            .segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "Send" | "Sync" | "Unpin")),
        _ => true,
    }
}

/// Rewrites a signature's parts into the canonical form [`signature`] compares.
struct Canonical;

impl VisitMut for Canonical {
    fn visit_type_impl_trait_mut(&mut self, ty: &mut syn::TypeImplTrait) {
        ty.bounds = ty.bounds.clone().into_iter().filter(is_kept).collect();
        visit_mut::visit_type_impl_trait_mut(self, ty);
    }

    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        // `std::fs::File` is `File`; `O::Output` stays (its head is a type).
        while ty.qself.is_none()
            && ty.path.segments.len() > 1
            && ty.path.segments[0]
                .ident
                .to_string()
                .starts_with(|c: char| c.is_ascii_lowercase())
        {
            let rest: Vec<syn::PathSegment> = ty.path.segments.iter().skip(1).cloned().collect();
            ty.path.segments = rest.into_iter().collect();
            ty.path.leading_colon = None;
        }
        visit_mut::visit_type_path_mut(self, ty);
    }

    fn visit_receiver_mut(&mut self, receiver: &mut syn::Receiver) {
        if receiver.reference.is_none() {
            receiver.mutability = None;
        }
        visit_mut::visit_receiver_mut(self, receiver);
    }

    fn visit_pat_ident_mut(&mut self, pat: &mut syn::PatIdent) {
        pat.mutability = None;
        visit_mut::visit_pat_ident_mut(self, pat);
    }
}

fn exported_names(tree: &UseTree, names: &mut Vec<String>) {
    match tree {
        UseTree::Path(path) => exported_names(&path.tree, names),
        UseTree::Name(name) => names.push(name.ident.to_string()),
        UseTree::Rename(rename) => names.push(rename.rename.to_string()),
        UseTree::Glob(_) => names.push("*".to_owned()),
        UseTree::Group(group) => {
            for tree in &group.items {
                exported_names(tree, names);
            }
        }
    }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.to_token_stream().to_string().contains("test")
    })
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(source: &str) -> Api {
        let file = syn::parse_file(source).expect("parses");
        let mut api = Api::new();
        collect(&file.items, true, &mut api);
        api
    }

    #[test]
    fn async_and_auto_trait_bounds_do_not_count() {
        let tokio = api(
            "impl Client { pub async fn put(&self, f: impl FnMut(u8) + Send) -> Result<(), Error> { todo!() } \
             pub fn send<O>(&self, op: &O, file: std::fs::File,) -> O::Output where O: Operation + Sync, O::Output: Send { todo!() } \
             pub fn policy(mut self) -> Self { self } }",
        );
        let blocking = api(
            "impl Client { pub fn put(&self, f: impl FnMut(u8)) -> Result<(), Error> { todo!() } \
             pub fn send<O: Operation>(&self, op: &O, file: File) -> O::Output { todo!() } \
             pub fn policy(self) -> Self { self } }",
        );
        assert_eq!(compare(&tokio, &blocking), []);
    }

    #[test]
    fn a_method_on_one_side_or_a_changed_type_is_a_difference() {
        let tokio = api(
            "impl Client { pub fn a(&self) -> u8 { 0 } pub fn b(&self) {} fn private(&self) {} }",
        );
        let blocking = api("impl Client { pub fn a(&self) -> u16 { 0 } }");
        let found = compare(&tokio, &blocking);
        let items: Vec<&str> = found.iter().map(|d| d.item.as_str()).collect();
        assert_eq!(items, ["Client::a", "Client::b"]);
        assert!(found[1].to_string().contains("only in cos-tokio"));
    }

    #[test]
    fn exports_trait_impls_and_test_code_are_read_as_such() {
        let read = api("pub use a::{B, c::D as E}; impl Iterator for Pages {} \
             #[cfg(test)] mod tests { impl Client { pub fn hidden(&self) {} } }");
        let keys: Vec<&str> = read.keys().map(String::as_str).collect();
        assert_eq!(keys, ["Pages: impl Iterator", "export::B", "export::E"]);
    }

    #[test]
    fn a_shared_method_macro_expanded_on_one_side_only_is_a_difference() {
        let tokio = api("impl Client { cos_transfer::operation_methods!(async, .await); }");
        let blocking = api("impl Client { }");
        let found = compare(&tokio, &blocking);
        assert_eq!(found.len(), 1);
        assert!(found[0].item.contains("operation_methods"), "{found:?}");
    }

    #[test]
    fn allowlist_entries_need_a_reason() {
        let parsed = parse_allowlist("# comment\nClient::a -- reads differ\n").expect("valid");
        assert_eq!(parsed["Client::a"], "reads differ");
        assert!(parse_allowlist("Client::a\n").is_err());
        assert!(parse_allowlist("Client::a -- \n").is_err());
    }
}
