//! Table-driven evaluation of the language core and .NET members.

use crate::support::{ev, s};

#[test]
fn literals_and_operators() {
    let cases: &[(&str, &str)] = &[
        ("@(1 + 2 * 3)", "7"),
        ("@((1 + 2) * 3)", "9"),
        ("@(7 / 2)", "3"),
        ("@(7 % 3)", "1"),
        ("@(7.0 / 2)", "3.5"),
        ("@(-5 + 2)", "-3"),
        ("@(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3)", "True"),
        ("@(1 == 1.0)", "True"),
        ("@(!(1 != 1))", "True"),
        ("@(true ? \"a\" : \"b\")", "a"),
        ("@(false || true && false)", "False"),
        ("@(null ?? \"d\")", "d"),
        ("@(\"a\" + 1 + 2)", "a12"),
        ("@(1 + 2 + \"a\")", "3a"),
        ("@(\"x\" + true)", "xTrue"),
        ("@(\"x\" + null + \"y\")", "xy"),
        ("@('a' == 'a')", "True"),
        ("@(0x1F)", "31"),
        ("@(1e3)", "1000"),
        ("@(5 & 3 | 8)", "9"),
        ("@(true ^ true)", "False"),
        ("@(10L * 3)", "30"),
        ("@(1.5m + 1)", "2.5"),
        ("@((int)3.9)", "3"),
        ("@((double)1 / 4)", "0.25"),
        ("@((string)null ?? \"n\")", "n"),
        ("@(@\"C:\\path\"\"q\"\"\")", "C:\\path\"q\""),
        ("@(\"tab\\there\\u0041\")", "tab\there\u{41}"),
        ("@(default(int))", "0"),
        ("@(3 is int)", "True"),
        ("@(\"s\" is string x && x.Length == 1)", "True"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn string_interpolation() {
    let cases: &[(&str, &str)] = &[
        (r#"@($"a{1 + 1}b")"#, "a2b"),
        (r#"@($"{{literal}} {"x"}")"#, "{literal} x"),
        (r#"@($"{5:D3}|{5,3}|{5,-3}|")"#, "005|  5|5  |"),
        (
            r#"@($"{DateTime.Parse("2024-03-05T07:08:09Z"):yyyy-MM-dd}")"#,
            "2024-03-05",
        ),
        (r#"@($@"verbatim ""{1}"" \n")"#, "verbatim \"1\" \\n"),
        (r#"@($"{(true ? "y" : "n")}")"#, "y"),
        (r#"@($"{null}-")"#, "-"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn string_members() {
    let cases: &[(&str, &str)] = &[
        (r#"@("Hello".Length)"#, "5"),
        (
            r#"@("Hello".ToUpper() + "Hello".ToLowerInvariant())"#,
            "HELLOhello",
        ),
        (r#"@("a,b,,c".Split(',').Length)"#, "4"),
        (
            r#"@("a,b,,c".Split(new[] {','}, StringSplitOptions.RemoveEmptyEntries).Length)"#,
            "3",
        ),
        (
            r#"@("a::b".Split(new string[] {"::"}, StringSplitOptions.None)[1])"#,
            "b",
        ),
        (r#"@("Bearer abc".Substring(7))"#, "abc"),
        (r#"@("Bearer abc".Substring(0, 6))"#, "Bearer"),
        (r#"@("abcabc".IndexOf("c"))"#, "2"),
        (r#"@("abcabc".LastIndexOf('c'))"#, "5"),
        (
            r#"@("abc".IndexOf("C", StringComparison.OrdinalIgnoreCase))"#,
            "2",
        ),
        (
            r#"@("  x ".Trim() + "|" + "xxyxx".Trim('x') + "|" + "--a".TrimStart('-'))"#,
            "x|y|a",
        ),
        (
            r#"@("Hello".StartsWith("He") && "Hello".EndsWith("lo"))"#,
            "True",
        ),
        (
            r#"@("Hello".StartsWith("he", StringComparison.OrdinalIgnoreCase))"#,
            "True",
        ),
        (r#"@("Hello".Contains("ell"))"#, "True"),
        (r#"@("Hello".Replace("l", "L"))"#, "HeLLo"),
        (
            r#"@("abc".Equals("ABC", StringComparison.OrdinalIgnoreCase))"#,
            "True",
        ),
        (
            r#"@(string.Equals("a", "A", StringComparison.OrdinalIgnoreCase))"#,
            "True",
        ),
        (
            r#"@(string.IsNullOrEmpty("") && string.IsNullOrWhiteSpace("  ") && !String.IsNullOrEmpty("x"))"#,
            "True",
        ),
        (r#"@(string.Format("{0}-{1}", "a", 2))"#, "a-2"),
        (r#"@(string.Join(",", new[] {"a", "b"}))"#, "a,b"),
        (r#"@(String.Join("|", "x", "y", "z"))"#, "x|y|z"),
        (r#"@(string.Concat("a", 1, true))"#, "a1True"),
        (r#"@("7".PadLeft(3, '0'))"#, "007"),
        (r#"@("abc"[1])"#, "b"),
        (r#"@(string.Empty.Length)"#, "0"),
        (r#"@("abcdef".Remove(2, 2))"#, "abef"),
        (r#"@(char.IsDigit("a1"[1]))"#, "True"),
        (r#"@("x".ToString())"#, "x"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn regex_members() {
    let cases: &[(&str, &str)] = &[
        (r#"@(Regex.IsMatch("abc123", @"\d+"))"#, "True"),
        (
            r#"@(Regex.IsMatch("ABC", "^abc$", RegexOptions.IgnoreCase))"#,
            "True",
        ),
        (
            r#"@(Regex.Match("order-42", @"order-(\d+)").Groups[1].Value)"#,
            "42",
        ),
        (
            r#"@(Regex.Match("k=v", @"(?<key>\w+)=(?<val>\w+)").Groups["val"].Value)"#,
            "v",
        ),
        (r#"@(Regex.Match("none", @"\d").Success)"#, "False"),
        (r##"@(Regex.Replace("a1b2", @"\d", "#"))"##, "a#b#"),
        (
            r#"@(Regex.Replace("john@x", @"(\w+)@(\w+)", "$2:$1"))"#,
            "x:john",
        ),
        (r#"@(Regex.Split("a1b2c", @"\d").Length)"#, "3"),
        (
            r#"@(Regex.IsMatch("a", "A", RegexOptions.IgnoreCase | RegexOptions.Multiline))"#,
            "True",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn datetime_and_timespan() {
    // MapContext's clock: 2024-01-01T00:00:00Z.
    let cases: &[(&str, &str)] = &[
        (
            r#"@(DateTime.UtcNow.ToString("o"))"#,
            "2024-01-01T00:00:00.0000000Z",
        ),
        (
            r#"@(DateTime.UtcNow.AddHours(1.5).ToString("s"))"#,
            "2024-01-01T01:30:00",
        ),
        (r#"@(DateTime.UtcNow.AddDays(-1).Year)"#, "2023"),
        (r#"@(DateTime.UtcNow.AddMonths(1).Month)"#, "2"),
        (
            r#"@(DateTime.Parse("2024-01-01T00:00:10Z") > DateTime.UtcNow)"#,
            "True",
        ),
        (
            r#"@((DateTime.UtcNow - DateTime.Parse("2023-12-31T23:00:00Z")).TotalMinutes)"#,
            "60",
        ),
        (
            r#"@(DateTime.UtcNow.Subtract(DateTime.Parse("2023-12-31")).Days)"#,
            "1",
        ),
        (r#"@(TimeSpan.FromSeconds(90).ToString())"#, "00:01:30"),
        (r#"@(TimeSpan.FromMinutes(2).TotalSeconds)"#, "120"),
        (r#"@((DateTime.UtcNow + TimeSpan.FromDays(1)).Day)"#, "2"),
        (
            r#"@(DateTime.UtcNow.ToString("R"))"#,
            "Mon, 01 Jan 2024 00:00:00 GMT",
        ),
        (r#"@(DateTime.UtcNow.ToString())"#, "1/1/2024 12:00:00 AM"),
        (r#"@(DateTime.UtcNow.DayOfWeek)"#, "Monday"),
        (r#"@(DateTime.MinValue.Year)"#, "1"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn conversions_and_misc() {
    let cases: &[(&str, &str)] = &[
        (r#"@(int.Parse("42") + 1)"#, "43"),
        (r#"@(Convert.ToInt32("7") * 2)"#, "14"),
        (
            r#"@(Convert.ToBase64String(Encoding.UTF8.GetBytes("hi")))"#,
            "aGk=",
        ),
        (
            r#"@(Encoding.UTF8.GetString(Convert.FromBase64String("aGk=")))"#,
            "hi",
        ),
        (
            r#"@(System.Text.Encoding.UTF8.GetBytes("héllo").Length)"#,
            "6",
        ),
        (r#"@(Math.Max(3, 7) + Math.Abs(-2))"#, "9"),
        (r#"@(Math.Round(2.5))"#, "2"),
        (r#"@(Math.Floor(2.7) + Math.Ceiling(0.1))"#, "3"),
        (r#"@(Guid.NewGuid().ToString().Length)"#, "36"),
        (
            r#"@(Guid.Parse("6F9619FF-8B86-D011-B42D-00CF4FC964FF").ToString())"#,
            "6f9619ff-8b86-d011-b42d-00cf4fc964ff",
        ),
        (r#"@(Uri.EscapeDataString("a b&c"))"#, "a%20b%26c"),
        (r#"@(WebUtility.UrlDecode("a+b%21"))"#, "a b!"),
        (r#"@(1.ToString("D4"))"#, "0001"),
        (r#"@(bool.Parse("True"))"#, "True"),
        (r#"@(12.5.ToString())"#, "12.5"),
        (r#"@(int.MaxValue)"#, "2147483647"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn linq() {
    let cases: &[(&str, &str)] = &[
        (r#"@(new[] {"a", "b"}.Any(x => x == "b"))"#, "True"),
        (r#"@(new[] {"a", "b"}.Any())"#, "True"),
        (r#"@(new[] {"a", "b"}.All(x => x.Length == 1))"#, "True"),
        (
            r#"@(new[] {"a", "bb", "cc"}.Where(x => x.Length == 2).Count())"#,
            "2",
        ),
        (
            r#"@(string.Join(",", new[] {"a", "b"}.Select(x => x.ToUpper())))"#,
            "A,B",
        ),
        (
            r#"@(new[] {"a", "b"}.FirstOrDefault(x => x == "z") ?? "none")"#,
            "none",
        ),
        (r#"@(new[] {"a", "b"}.First())"#, "a"),
        (r#"@(new[] {"a", "b"}.Last())"#, "b"),
        (r#"@(new[] {"a", "b"}.Contains("b"))"#, "True"),
        (r#"@(new string[] {"b", "a", "b"}.Distinct().Count())"#, "2"),
        (
            r#"@(string.Join("", new[] {"c", "a", "b"}.OrderBy(x => x)))"#,
            "abc",
        ),
        (r#"@(new[] {1, 2, 3}.Sum())"#, "6"),
        (r#"@(new[] {1, 5, 3}.Max())"#, "5"),
        (r#"@(new[] {1, 2, 3}.Skip(1).Take(1).First())"#, "2"),
        (
            r#"@("a,b,c".Split(',').Select(p => p + "!").ToArray()[2])"#,
            "c!",
        ),
        (r#"@("hello".Count(c => c == 'l'))"#, "2"),
        (
            r#"@(new[] {"x"}.Select(x => { return x + "y"; }).First())"#,
            "xy",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn statement_blocks() {
    let cases: &[(&str, &str)] = &[
        ("@{ var x = 1; x += 2; return x; }", "3"),
        (r#"@{ string s = "a"; s += "b"; return s; }"#, "ab"),
        (
            "@{ int n; if (int.TryParse(\"12\", out n)) { return n * 2; } return -1; }",
            "24",
        ),
        (
            "@{ if (int.TryParse(\"x\", out var n)) return n; else return -1; }",
            "-1",
        ),
        (
            "@{ var total = 0; foreach (var p in \"1,2,3\".Split(',')) { total += int.Parse(p); } return total; }",
            "6",
        ),
        (
            "@{ var i = 0; while (true) { i++; if (i == 5) break; } return i; }",
            "5",
        ),
        (
            "@{ var acc = \"\"; for (var i = 0; i < 3; i++) { if (i == 1) continue; acc += i; } return acc; }",
            "02",
        ),
        (
            "@{ var x = 5; if (x > 3) { return \"big\"; } return \"small\"; }",
            "big",
        ),
        ("@{ // comment\n var a = 1; /* block */ return a; }", "1"),
        ("@{ var a = new[] {\"x\"}; return a.Length; }", "1"),
        ("@{ bool ok = false; ok = !ok; return ok; }", "True"),
    ];
    for (src, want) in cases {
        assert_eq!(s(src), *want, "{src}");
    }
}

#[test]
fn null_conditional_short_circuits_the_chain() {
    assert!(ev(r#"@(((string)null)?.ToUpper().Length)"#).is_null());
    assert!(ev(r#"@("".AsJwt()?.Claims["tid"])"#).is_null());
    assert_eq!(s(r#"@(((string)null)?.Length ?? 0)"#), "0");
}

#[test]
fn enumerating_claims_groups_and_nullables() {
    use sigil_expr::testing::MapContext;
    let token = crate::support::jwt(&serde_json::json!({"a": "1", "roles": ["x", "y"]}));
    let c = MapContext::new().with_request_header("Authorization", &token);
    let h = r#"context.Request.Headers.GetValueOrDefault("Authorization", "")"#;
    assert_eq!(
        crate::support::s_in(
            &c,
            &format!("@({h}.AsJwt().Claims.Any(kv => kv.Key == \"roles\"))")
        ),
        "True"
    );
    assert_eq!(
        crate::support::s_in(
            &c,
            &format!(
                "@{{ var n = 0; foreach (var kv in {h}.AsJwt().Claims) {{ n += kv.Value.Length; }} return n; }}"
            )
        ),
        "3"
    );
    assert_eq!(s("@{ int? x = null; return x ?? 7; }"), "7");
}
