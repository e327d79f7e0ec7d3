//! The JSON form validates against docs/model.schema.json (checked by Python's jsonschema).

mod common;

use std::process::Command;

use common::*;

fn validate(json_path: &std::path::Path) -> std::process::Output {
    let code = "import json, sys, jsonschema\n\
                s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))\n\
                jsonschema.Draft202012Validator.check_schema(s)\n\
                jsonschema.validate(d, s, cls=jsonschema.Draft202012Validator)\n";
    Command::new("python3")
        .args(["-c", code])
        .arg(root().join("docs/model.schema.json"))
        .arg(json_path)
        .output()
        .unwrap()
}

#[test]
fn sample_json_matches_the_schema_and_a_float_does_not() {
    if !require_python_module("jsonschema") {
        return;
    }
    let ok = validate(&sample_json());
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let dir = tmp();
    let bad = dir.path().join("bad.json");
    let text =
        std::fs::read_to_string(sample_json())
            .unwrap()
            .replacen("\"44037.77\"", "44037.77", 1);
    std::fs::write(&bad, text).unwrap();
    let out = validate(&bad);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("44037.77"));
}
