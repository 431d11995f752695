//! Newtonsoft JObject/JArray/JToken behaviour.

use sigil_expr::testing::MapContext;

use crate::support::{ev_in, eval_err, s, s_in};

#[test]
fn parse_index_and_convert() {
    let cases: &[(&str, &str)] = &[
        (
            r#"@(JObject.Parse("{\"a\":{\"b\":\"x\"}}")["a"]["b"].ToString())"#,
            "x",
        ),
        (r#"@((string)JObject.Parse("{\"a\":5}")["a"])"#, "5"),
        (r#"@((int)JObject.Parse("{\"a\":5}")["a"] + 1)"#, "6"),
        (r#"@(JObject.Parse("{\"a\":5}").Value<int>("a"))"#, "5"),
        (
            r#"@(JObject.Parse("{\"a\":5}")["missing"] == null)"#,
            "True",
        ),
        (r#"@(JArray.Parse("[1,2,3]").Count)"#, "3"),
        (r#"@(JArray.Parse("[\"a\",\"b\"]")[1].ToString())"#, "b"),
        (
            r#"@(JArray.Parse("[{\"n\":1},{\"n\":2}]").Any(t => (int)t["n"] == 2))"#,
            "True",
        ),
        (
            r#"@(JObject.Parse("{\"a\":{\"b\":[{\"c\":7}]}}").SelectToken("$.a.b[0].c").ToString())"#,
            "7",
        ),
        (
            r#"@(JObject.Parse("{\"a\":1}").ToString(Newtonsoft.Json.Formatting.None))"#,
            "{\"a\":1}",
        ),
        (r#"@(JObject.Parse("{\"a\":1}").ContainsKey("a"))"#, "True"),
        (
            r#"@(string.Join(",", JObject.Parse("{\"a\":1,\"b\":2}").Properties().Select(p => p.Name)))"#,
            "a,b",
        ),
        (
            r#"@(JsonConvert.SerializeObject(new JObject(new JProperty("k", "v"))))"#,
            "{\"k\":\"v\"}",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn build_and_mutate() {
    let cases: &[(&str, &str)] = &[
        (
            r#"@(new JObject(new JProperty("a", 1), new JProperty("b", "x")).ToString(Formatting.None))"#,
            r#"{"a":1,"b":"x"}"#,
        ),
        (
            r#"@{ var o = new JObject(); o["x"] = "y"; o["n"] = 2; return o.ToString(Formatting.None); }"#,
            r#"{"x":"y","n":2}"#,
        ),
        (
            r#"@{ var o = JObject.Parse("{\"a\":{\"b\":1}}"); o["a"]["b"] = 5; o.Add("c", true); o.Remove("zz"); return o.ToString(Formatting.None); }"#,
            r#"{"a":{"b":5},"c":true}"#,
        ),
        (
            r#"@{ var a = new JArray(); a.Add("x"); a.Add(1); return a.ToString(Formatting.None); }"#,
            r#"["x",1]"#,
        ),
        (
            r#"@(new JObject { ["k"] = "v" }.ToString(Formatting.None))"#,
            r#"{"k":"v"}"#,
        ),
        (r#"@(new JArray("a", "b").Count)"#, "2"),
        (
            r#"@(new JObject(new JProperty("a", new JArray(1, 2))).ToString())"#,
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn request_body_transform() {
    let c = MapContext::new().with_request_body(r#"{"user": {"id": 7, "ssn": "123"}}"#);
    let src = r#"@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        body["user"]["ssn"] = "***";
        body["seen"] = DateTime.UtcNow.ToString("yyyy-MM-dd");
        return body.ToString(Newtonsoft.Json.Formatting.None);
    }"#;
    assert_eq!(
        s_in(&c, src),
        r#"{"user":{"id":7,"ssn":"***"},"seen":"2024-01-01"}"#
    );
    assert_eq!(
        ev_in(
            &c,
            r#"@(context.Request.Body.As<JObject>()["user"]["id"].Value<int>())"#
        )
        .as_int(),
        Some(7)
    );
}

#[test]
fn json_errors() {
    let c = MapContext::new();
    assert_eq!(
        eval_err(&c, r#"@(JObject.Parse("[1]"))"#).kind,
        "JsonReaderException"
    );
    assert_eq!(
        eval_err(&c, r#"@(JObject.Parse("{"))"#).kind,
        "JsonReaderException"
    );
    assert_eq!(
        eval_err(&c, r#"@((int)JObject.Parse("{\"a\":null}")["a"])"#).kind,
        "ArgumentException"
    );
    assert_eq!(
        eval_err(
            &c,
            r#"@{ var o = new JObject(); o.Add("a", 1); o.Add("a", 2); return o; }"#
        )
        .kind,
        "ArgumentException"
    );
}
