//! Bucket configuration documents in their stored, canonical form: a request document
//! (already parsed by [`crate::xml_in`] and checked by its handler) written back the way
//! COS writes it — the declaration, one element per line, four spaces per level, and the
//! children of the elements COS reorders in COS's order (see the `bucket/responses.json`
//! vectors: a website's `RedirectAllRequestsTo` before its `ErrorDocument`, an inventory's
//! `Id` first, a domain rule's `Status` first, ...). Children COS does not reorder keep
//! the request's order; attributes (namespace declarations) are dropped.
//!
//! Callers store the returned text and serve it as is on GET; code that needs the
//! configuration again (CORS, lifecycle) parses the stored text with [`crate::xml_in`].

use crate::xml_in::Element;
use crate::xml_out::XmlWriter;

/// The child order COS writes under `(root, parent)`; `"*"` as root matches any document.
const ORDERS: &[(&str, &str, &[&str])] = &[
    (
        "LifecycleConfiguration",
        "Rule",
        &[
            "ID",
            "Filter",
            "Status",
            "Transition",
            "NoncurrentVersionTransition",
            "NoncurrentVersionExpiration",
            "AbortIncompleteMultipartUpload",
            "Expiration",
        ],
    ),
    ("*", "Filter", &["Prefix", "Tag", "And"]),
    ("*", "And", &["Prefix", "Tag"]),
    (
        "CORSConfiguration",
        "CORSRule",
        &[
            "ID",
            "AllowedOrigin",
            "AllowedMethod",
            "AllowedHeader",
            "ExposeHeader",
            "MaxAgeSeconds",
        ],
    ),
    (
        "CORSConfiguration",
        "CORSConfiguration",
        &["CORSRule", "ResponseVary"],
    ),
    (
        "RefererConfiguration",
        "RefererConfiguration",
        &[
            "Status",
            "RefererType",
            "DomainList",
            "EmptyReferConfiguration",
            "VerifySignatureURL",
        ],
    ),
    (
        "WebsiteConfiguration",
        "WebsiteConfiguration",
        &[
            "IndexDocument",
            "RedirectAllRequestsTo",
            "AutoAddressing",
            "ErrorDocument",
            "RoutingRules",
        ],
    ),
    (
        "WebsiteConfiguration",
        "RoutingRule",
        &["Condition", "Redirect"],
    ),
    (
        "ReplicationConfiguration",
        "Rule",
        &["ID", "Status", "Prefix", "Destination"],
    ),
    (
        "ReplicationConfiguration",
        "ReplicationConfiguration",
        &["Role", "Rule"],
    ),
    (
        "InventoryConfiguration",
        "InventoryConfiguration",
        &[
            "Id",
            "IsEnabled",
            "Destination",
            "Schedule",
            "Filter",
            "IncludedObjectVersions",
            "OptionalFields",
        ],
    ),
    (
        "InventoryConfiguration",
        "COSBucketDestination",
        &["Format", "AccountId", "Bucket", "Prefix", "Encryption"],
    ),
    (
        "DomainConfiguration",
        "DomainRule",
        &["Status", "Name", "Type", "ForcedReplacement"],
    ),
    (
        "IntelligentTieringConfiguration",
        "IntelligentTieringConfiguration",
        &["Id", "Status", "Filter", "Transition", "Tiering"],
    ),
    (
        "IntelligentTieringConfiguration",
        "Tiering",
        &["AccessTier", "Days", "RequestFrequent"],
    ),
    (
        "ObjectLockConfiguration",
        "ObjectLockConfiguration",
        &["ObjectLockEnabled", "Rule"],
    ),
];

/// Empty elements COS writes as a start and an end tag rather than self-closing.
const PAIRED_WHEN_EMPTY: [&str; 2] = ["SSE-COS", "Prefix"];

fn order_of(root: &str, parent: &str) -> Option<&'static [&'static str]> {
    ORDERS
        .iter()
        .find(|(r, p, _)| (*r == root || *r == "*") && *p == parent)
        .map(|(_, _, order)| *order)
}

/// The children of `element` in COS's order (stable: repeated elements keep their
/// relative order, unknown elements follow in request order).
fn ordered<'a>(root: &str, element: &'a Element) -> Vec<&'a Element> {
    let mut children: Vec<&Element> = element.children.iter().collect();
    if let Some(order) = order_of(root, &element.name) {
        children.sort_by_key(|c| {
            order
                .iter()
                .position(|n| *n == c.name)
                .unwrap_or(order.len())
        });
    }
    children
}

fn write(w: &mut XmlWriter, root: &str, element: &Element, paired_prefix: bool) {
    if element.children.is_empty() {
        let paired = PAIRED_WHEN_EMPTY.contains(&element.name.as_str())
            && (element.name != "Prefix" || paired_prefix);
        if paired && element.text.is_empty() {
            w.leaf_paired(&element.name);
        } else {
            w.leaf(&element.name, &element.text);
        }
        return;
    }
    w.open(&element.name);
    // An inventory filter keeps `<Prefix></Prefix>` as COS writes it.
    let paired = root == "InventoryConfiguration" && element.name == "Filter";
    for child in ordered(root, element) {
        write(w, root, child, paired);
    }
    w.close(&element.name);
}

/// Writes `root` as a stored document.
pub(crate) fn canonical(root: &Element) -> String {
    let mut w = XmlWriter::new();
    write(&mut w, &root.name, root, false);
    w.finish()
}

/// Writes several stored documents (each a whole document with its own declaration)
/// inside a list element: `<list>` then each document's root indented by `indent`
/// levels, then `</list>`, as COS's inventory (no indent) and intelligent-tiering
/// (one level) listings do. `tail` elements (`IsTruncated`, ...) follow the documents.
pub(crate) fn list(
    list: &str,
    documents: &[String],
    indent: usize,
    tail: &[(&str, &str)],
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(list);
    out.push_str(">\n");
    let pad = "    ".repeat(indent);
    for document in documents {
        let body = document
            .split_once("?>\n")
            .map_or(document.as_str(), |(_, rest)| rest);
        for line in body.lines() {
            out.push_str(&pad);
            out.push_str(line);
            out.push('\n');
        }
    }
    for (name, value) in tail {
        out.push_str("    ");
        if value.is_empty() {
            out.push_str(&format!("<{name}/>\n"));
        } else {
            out.push_str(&format!(
                "<{name}>{}</{name}>\n",
                crate::xml_out::escape(value)
            ));
        }
    }
    out.push_str("</");
    out.push_str(list);
    out.push_str(">\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_in;

    #[test]
    fn website_children_follow_cos_order() {
        let body = b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
            <ErrorDocument><Key>error.html</Key></ErrorDocument>\
            <RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>";
        let root = xml_in::parse(body).expect("parses");
        let text = canonical(&root);
        let redirect = text.find("RedirectAllRequestsTo").expect("redirect");
        let error = text.find("ErrorDocument").expect("error");
        assert!(redirect < error, "{text}");
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<WebsiteConfiguration>\n    <IndexDocument>\n        <Suffix>index.html</Suffix>\n"));
    }

    #[test]
    fn inventory_keeps_paired_empty_elements() {
        let body = b"<InventoryConfiguration><Destination><COSBucketDestination><Bucket>b</Bucket>\
            <Format>CSV</Format><Encryption><SSE-COS/></Encryption></COSBucketDestination></Destination>\
            <Filter><Prefix/></Filter><Id>x</Id></InventoryConfiguration>";
        let root = xml_in::parse(body).expect("parses");
        let text = canonical(&root);
        assert!(text.contains("<SSE-COS></SSE-COS>"), "{text}");
        assert!(text.contains("<Prefix></Prefix>"), "{text}");
        assert!(
            text.contains("<InventoryConfiguration>\n    <Id>x</Id>\n"),
            "{text}"
        );
        let listed = list("L", &[text], 0, &[("IsTruncated", "false")]);
        assert!(
            listed.contains("<L>\n<InventoryConfiguration>\n    <Id>x</Id>"),
            "{listed}"
        );
        assert!(listed.ends_with("    <IsTruncated>false</IsTruncated>\n</L>\n"));
    }
}
