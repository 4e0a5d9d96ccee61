//! The README cannot go stale: its Layout section names every file and folder of the
//! source folders it lists (and nothing that does not exist), and every Rust program it
//! shows is the content of a file in `examples/`, which CI compiles.

use std::collections::BTreeSet;
use std::path::Path;

/// Runs both checks on `README.md` at `root`; the error lists every problem.
pub fn check(root: &Path) -> Result<(), String> {
    let readme =
        std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let mut problems = layout_problems(root, &readme);
    problems.extend(example_problems(root, &readme));
    if problems.is_empty() {
        println!("README: the layout matches the tree; every program shown is an example");
        Ok(())
    } else {
        for problem in &problems {
            println!("  {problem}");
        }
        Err(format!("{} README problem(s)", problems.len()))
    }
}

/// The bullets of the Layout section that start with a folder: `(folder, text)`.
pub fn layout_bullets(readme: &str) -> Vec<(String, String)> {
    let Some(start) = readme.find("\n## Layout") else {
        return Vec::new();
    };
    let section = &readme[start + 1..];
    let section = section[3..]
        .find("\n## ")
        .map_or(section, |end| &section[..end + 3]);
    let mut bullets = Vec::new();
    for chunk in section.split("\n* ").skip(1) {
        let chunk = chunk.split("\n\n").next().unwrap_or(chunk);
        let mut ticks = backticked(chunk).into_iter();
        if let Some(folder) = ticks.next().filter(|f| f.ends_with('/')) {
            bullets.push((folder, chunk.to_owned()));
        }
    }
    bullets
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// What is wrong with the Layout section: names that do not exist, entries not named,
/// source folders with no bullet.
pub fn layout_problems(root: &Path, readme: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let bullets = layout_bullets(readme);
    let listed: BTreeSet<&str> = bullets.iter().map(|(f, _)| f.as_str()).collect();
    for folder in source_folders(root) {
        if !listed.contains(folder.as_str()) {
            problems.push(format!("Layout has no bullet for {folder}"));
        }
    }
    for (folder, text) in &bullets {
        let names: Vec<String> = backticked(text)
            .into_iter()
            .skip(1)
            .filter(|t| is_path(t))
            .collect();
        for name in &names {
            let relative = Path::new(folder).join(name);
            if !root.join(&relative).exists() {
                problems.push(format!(
                    "Layout names {}, which does not exist",
                    relative.display()
                ));
            }
        }
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            problems.push(format!("Layout lists {folder}, which is not a folder"));
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let shown = if entry.path().is_dir() {
                format!("{name}/")
            } else {
                name
            };
            if !names.contains(&shown) {
                problems.push(format!("Layout does not name {folder}{shown}"));
            }
        }
    }
    problems
}

fn is_path(token: &str) -> bool {
    !token.contains(' ')
        && (token.ends_with(".rs") || token.ends_with('/') || token.ends_with(".allow"))
}

fn source_folders(root: &Path) -> Vec<String> {
    let mut folders = vec!["xtask/src/".to_owned(), "examples/".to_owned()];
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for entry in crates.flatten() {
            if entry.path().join("src").is_dir() {
                let name = entry.file_name().to_string_lossy().into_owned();
                folders.push(format!("crates/{name}/src/"));
            }
        }
    }
    folders.sort();
    folders
}

/// The Rust programs the README shows, each of which must be a file of `examples/`
/// (without its leading `//!` and `#![…]` lines).
pub fn example_problems(root: &Path, readme: &str) -> Vec<String> {
    let mut examples = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root.join("examples")) {
        for entry in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                let body: Vec<&str> = text
                    .lines()
                    .skip_while(|l| l.starts_with("//!") || l.starts_with("#!["))
                    .collect();
                examples.push(body.join("\n"));
            }
        }
    }
    let mut problems = Vec::new();
    for block in rust_blocks(readme) {
        if !examples.iter().any(|e| e.trim_end() == block.trim_end()) {
            let first = block.lines().next().unwrap_or("");
            problems.push(format!(
                "the README's program starting `{first}` is no file of examples/"
            ));
        }
    }
    problems
}

fn rust_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.starts_with("```rust") => current = Some(Vec::new()),
            Some(lines) if line.starts_with("```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            Some(lines) => lines.push(line),
            None => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_readme_passes() {
        let root = crate::ci::workspace_root();
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
        assert_eq!(layout_problems(&root, &readme), Vec::<String>::new());
        assert_eq!(example_problems(&root, &readme), Vec::<String>::new());
    }

    #[test]
    fn a_stale_layout_or_example_is_caught() {
        let root = crate::ci::workspace_root();
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
        let renamed = readme.replacen("`retry.rs`", "`retries.rs`", 1);
        let problems = layout_problems(&root, &renamed);
        assert!(
            problems.iter().any(|p| p.contains("retries.rs")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("does not name crates/cos-proto/src/retry.rs"))
        );
        let edited = readme.replacen("\"hello.txt\"", "\"bye.txt\"", 1);
        assert_eq!(example_problems(&root, &edited).len(), 1);
    }
}
