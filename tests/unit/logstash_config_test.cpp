// The Logstash config parser: every construct of the grammar, every error with its line and
// column, strings with and without escape processing, comments where whitespace may be.

#include "migrate/logstash_config.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gd2s::logstash {
namespace {

PipelineConfig parse(const std::string& text, bool escapes = false) {
  return parse_pipeline(text, "p.conf", ParseOptions{escapes});
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
    return "(parsed)";
  } catch (const ParseError& error) {
    return error.what();
  }
}

const Plugin& only_plugin(const PipelineConfig& config, std::string_view section) {
  auto plugins = plugins_of(config, section);
  EXPECT_EQ(plugins.size(), 1u);
  return *plugins.at(0).plugin;
}

TEST(LogstashConfig, ReadsSectionsPluginsAndScalarValuesWithTheirPositions) {
  PipelineConfig config = parse(
      "input {\n"
      "  s3 {\n"
      "    bucket => \"exports\"\n"
      "    prefix => 'guard duty/'\n"
      "    interval => 60\n"
      "    ratio => -0.5\n"
      "    codec => json\n"
      "  }\n"
      "}\n"
      "filter { }\n"
      "output { stdout { } }\n");
  ASSERT_EQ(config.sections.size(), 3u);
  EXPECT_EQ(config.sections[0].type, "input");
  EXPECT_EQ(config.sections[1].type, "filter");
  EXPECT_EQ(config.sections[2].type, "output");
  const Plugin& s3 = only_plugin(config, "input");
  EXPECT_EQ(s3.name, "s3");
  EXPECT_EQ(s3.pos.line, 2);
  EXPECT_EQ(s3.pos.column, 3);
  ASSERT_EQ(s3.settings.size(), 5u);
  EXPECT_EQ(s3.find("bucket")->value.text, "exports");
  EXPECT_EQ(s3.find("bucket")->value.kind, Value::Kind::kString);
  EXPECT_EQ(s3.find("bucket")->pos.line, 3);
  EXPECT_EQ(s3.find("bucket")->pos.column, 5);
  EXPECT_EQ(s3.find("bucket")->value.pos.column, 15);
  EXPECT_EQ(s3.find("prefix")->value.text, "guard duty/");
  EXPECT_EQ(s3.find("interval")->value.kind, Value::Kind::kNumber);
  EXPECT_EQ(s3.find("interval")->value.text, "60");
  EXPECT_EQ(s3.find("ratio")->value.text, "-0.5");
  EXPECT_EQ(s3.find("codec")->value.kind, Value::Kind::kBareword);
  EXPECT_EQ(s3.find("codec")->value.text, "json");
  EXPECT_EQ(s3.find("missing"), nullptr);
  EXPECT_EQ(only_plugin(config, "output").name, "stdout");
  EXPECT_EQ(config.files, std::vector<std::string>{"p.conf"});
}

TEST(LogstashConfig, ReadsArraysHashesQuotedNamesAndPluginValues) {
  PipelineConfig config = parse(
      "output {\n"
      "  \"microsoft-sentinel-log-analytics-logstash-output-plugin\" {\n"
      "    key_names => [\"id\", type, 3, [nested], {ab => 1}]\n"
      "    empty => []\n"
      "    additional_settings => { \"force_path_style\" => true  region => \"x\"\n"
      "                             5 => 'five' }\n"
      "    no_entries => {}\n"
      "    codec => json_lines { charset => \"UTF-8\" }\n"
      "    'quoted name' => yes\n"
      "  }\n"
      "}\n");
  const Plugin& p = only_plugin(config, "output");
  EXPECT_EQ(p.name, "microsoft-sentinel-log-analytics-logstash-output-plugin");
  const Value& keys = p.find("key_names")->value;
  ASSERT_EQ(keys.kind, Value::Kind::kArray);
  ASSERT_EQ(keys.items.size(), 5u);
  EXPECT_EQ(keys.items[0].text, "id");
  EXPECT_EQ(keys.items[1].kind, Value::Kind::kBareword);
  EXPECT_EQ(keys.items[2].kind, Value::Kind::kNumber);
  EXPECT_EQ(keys.items[3].kind, Value::Kind::kArray);
  EXPECT_EQ(keys.items[4].kind, Value::Kind::kHash);
  EXPECT_TRUE(p.find("empty")->value.items.empty());
  const Value& settings = p.find("additional_settings")->value;
  ASSERT_EQ(settings.kind, Value::Kind::kHash);
  ASSERT_EQ(settings.entries.size(), 3u);
  EXPECT_EQ(settings.entries[0].key, "force_path_style");
  EXPECT_EQ(settings.entries[0].value.text, "true");
  EXPECT_EQ(settings.entries[1].key, "region");
  EXPECT_EQ(settings.entries[2].key, "5");
  EXPECT_EQ(settings.entries[2].pos.line, 6);
  EXPECT_TRUE(p.find("no_entries")->value.entries.empty());
  const Value& codec = p.find("codec")->value;
  EXPECT_EQ(codec.kind, Value::Kind::kPlugin);
  EXPECT_EQ(codec.text, "json_lines");
  ASSERT_EQ(codec.settings.size(), 1u);
  EXPECT_EQ(codec.settings[0].value.text, "UTF-8");
  EXPECT_EQ(p.find("quoted name")->value.text, "yes");
}

TEST(LogstashConfig, KeepsStringsRawUnlessEscapesAreSupported) {
  const std::string text =
      "input { s3 { a => \"say \\\"hi\\\"\\n\\t\\\\ \\x\" b => 'it\\'s' c => \"\\0\\r\" } }";
  PipelineConfig raw_config = parse(text);
  const Plugin& raw = only_plugin(raw_config, "input");
  EXPECT_EQ(raw.find("a")->value.text, "say \\\"hi\\\"\\n\\t\\\\ \\x");
  EXPECT_EQ(raw.find("b")->value.text, "it\\'s");
  EXPECT_EQ(raw.find("c")->value.text, "\\0\\r");
  PipelineConfig escaped_config = parse(text, true);
  const Plugin& escaped = only_plugin(escaped_config, "input");
  EXPECT_EQ(escaped.find("a")->value.text, "say \"hi\"\n\t\\ \\x");
  EXPECT_EQ(escaped.find("b")->value.text, "it's");
  EXPECT_EQ(escaped.find("c")->value.text, std::string("\0\r", 2));
}

TEST(LogstashConfig, AcceptsCommentsWhereverWhitespaceMayBe) {
  PipelineConfig config = parse(
      "# header\n"
      "input # after the type\n"
      "{ # after the brace\n"
      "  s3 # after the name\n"
      "  { bucket # before the arrow\n"
      "    => # after the arrow\n"
      "    \"b#not-a-comment\" # after the value\n"
      "    tags => [ # in an array\n"
      "      \"x\" # before a comma\n"
      "      , \"y\" ]\n"
      "    hash => { # in a hash\n"
      "      kk => vv # between entries\n"
      "      k2 => v2 }\n"
      "  } # after the plugin\n"
      "  if [a] # inside a condition\n"
      "     == \"b\" { stdin { } }\n"
      "}\n"
      "# at the end, without a newline");
  const Plugin& s3 = *plugins_of(config, "input").at(0).plugin;
  EXPECT_EQ(s3.find("bucket")->value.text, "b#not-a-comment");
  EXPECT_EQ(s3.find("tags")->value.items.size(), 2u);
  EXPECT_EQ(s3.find("hash")->value.entries.size(), 2u);
  auto inputs = plugins_of(config, "input");
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[1].conditions, std::vector<std::string>{"if [a] == \"b\" at line 15"});
}

TEST(LogstashConfig, ReadsBranchesNestedInAnySectionWithTheirConditions) {
  PipelineConfig config = parse(
      "input { s3 { bucket => \"b\" } }\n"
      "filter {\n"
      "  if [type] == \"guardduty\" and [severity] >= 4 {\n"
      "    mutate { add_tag => [\"gd\"] }\n"
      "  } else if [type] in [\"a\", \"b\"] or ![tags] {\n"
      "    if \"x\" not in [tags] { drop { } }\n"
      "  } else {\n"
      "    json { source => \"message\" }\n"
      "  }\n"
      "}\n"
      "output {\n"
      "  if [@metadata][target]   =~ /^az(ure)?\\/x/ xor !([a] != 1) nand [b] !~ \"c\" {\n"
      "    stdout { }\n"
      "  }\n"
      "  if ([a] < 1.5) or ([b] > -2) or [c] <= 3 or member([d], \"e\") or [f] { null { } }\n"
      "}\n");
  auto filters = plugins_of(config, "filter");
  ASSERT_EQ(filters.size(), 3u);
  EXPECT_EQ(filters[0].plugin->name, "mutate");
  EXPECT_EQ(filters[0].conditions,
            std::vector<std::string>{"if [type] == \"guardduty\" and [severity] >= 4 at line 3"});
  EXPECT_EQ(filters[1].plugin->name, "drop");
  EXPECT_EQ(filters[1].conditions,
            (std::vector<std::string>{
                "else if [type] in [\"a\", \"b\"] or ![tags] (after if [type] == \"guardduty\" "
                "and [severity] >= 4) at line 5",
                "if \"x\" not in [tags] at line 6"}));
  EXPECT_EQ(filters[2].conditions,
            std::vector<std::string>{
                "else (after if [type] == \"guardduty\" and [severity] >= 4) at line 7"});
  auto outputs = plugins_of(config, "output");
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].conditions,
            std::vector<std::string>{"if [@metadata][target] =~ /^az(ure)?\\/x/ xor !([a] != 1) "
                                     "nand [b] !~ \"c\" at line 12"});
  EXPECT_EQ(outputs[1].plugin->name, "null");
}

TEST(LogstashConfig, RecordsEnvironmentReferencesWithoutResolvingThem) {
  PipelineConfig config = parse(
      "output { x { a => \"${WORKSPACE_KEY}\" b => \"${REGION:eu-west-1}/x${Y.z}\" "
      "c => \"$NOT {this} ${} ${9bad}\" d => '${EMPTY:}' } }");
  const Plugin& p = only_plugin(config, "output");
  const auto& a = p.find("a")->value;
  EXPECT_EQ(a.text, "${WORKSPACE_KEY}");
  ASSERT_EQ(a.references.size(), 1u);
  EXPECT_EQ(a.references[0].name, "WORKSPACE_KEY");
  EXPECT_FALSE(a.references[0].fallback);
  const auto& b = p.find("b")->value;
  ASSERT_EQ(b.references.size(), 2u);
  EXPECT_EQ(b.references[0].name, "REGION");
  EXPECT_EQ(b.references[0].fallback, "eu-west-1");
  EXPECT_EQ(b.references[1].name, "Y.z");
  EXPECT_TRUE(p.find("c")->value.references.empty());
  ASSERT_EQ(p.find("d")->value.references.size(), 1u);
  EXPECT_EQ(p.find("d")->value.references[0].fallback, "");
}

TEST(LogstashConfig, ErrorsNameTheFileLineAndColumnAndWhatWasFound) {
  EXPECT_EQ(error_of("input {\n  s3 {\n    bucket { }\n  }\n}\n"),
            "p.conf:3:12: expected '=>' after the setting name 'bucket', found '{'");
  EXPECT_EQ(error_of("inputs { }"),
            "p.conf:1:1: expected 'input', 'filter' or 'output', found "
            "'inputs'");
  EXPECT_EQ(error_of("input s3 { }"), "p.conf:1:7: expected '{' after 'input', found 's3'");
  EXPECT_EQ(error_of("input { s3 bucket => 1 }"),
            "p.conf:1:12: expected '{' after the plugin name 's3', found 'bucket'");
  EXPECT_EQ(error_of("input { s3 { a => 1, b => 2 } }"),
            "p.conf:1:20: expected whitespace or '}' after the value of 'a', found ','");
  EXPECT_EQ(error_of("input { s3 { a => 1 , b => 2 } }"),
            "p.conf:1:21: expected a setting name or '}' in plugin 's3', found ','");
  EXPECT_EQ(error_of("input { s3 { a => } }"),
            "p.conf:1:19: expected a value (a string, number, bareword, array or hash) after "
            "'a =>', found '}'");
  EXPECT_EQ(error_of("input { s3 { a => [1 2] } }"),
            "p.conf:1:22: expected ',' or ']' in the array, found '2'");
  EXPECT_EQ(error_of("input { s3 { a => { kk => 1, jj => 2 } } }"),
            "p.conf:1:28: expected whitespace or '}' after the value of 'kk', found ','");
  EXPECT_EQ(error_of("input { s3 { a => { kk => 1 , jj => 2 } } }"),
            "p.conf:1:29: expected a hash key or '}', found ','");
  EXPECT_EQ(error_of("input { s3 { a => { kk 1 } } }"),
            "p.conf:1:24: expected '=>' after the hash key 'kk', found '1'");
  // The grammar's bare words have at least two characters.
  EXPECT_EQ(error_of("input { s3 { a => { k => 1 } } }"),
            "p.conf:1:21: expected a hash key or '}', found 'k'");
  EXPECT_EQ(error_of("input {\n  s3 {\n    a => \"open\n  }\n}\n"),
            "p.conf:3:10: the string starting here has no closing \"");
  EXPECT_EQ(error_of("input { s3 { a => 1 }"),
            "p.conf:1:22: expected '}' to close the input section, found the end of the file");
  EXPECT_EQ(error_of("input { s3 { a => 1 "),
            "p.conf:1:21: expected '}' to close plugin 's3', found the end of the file");
  EXPECT_EQ(error_of("output { else { } }"), "p.conf:1:10: 'else' without an 'if' before it");
  EXPECT_EQ(error_of("output { if [a] = \"b\" { } }"),
            "p.conf:1:17: expected an operator (==, !=, <, >, <=, >=, =~, !~, in, not in, and, "
            "or, xor, nand) or '{' after the condition, found '='");
  EXPECT_EQ(error_of("output { if { } }"),
            "p.conf:1:13: expected a field reference such as [field], a string, a number, a "
            "list, a regular expression or '(' in the condition, found '{'");
  EXPECT_EQ(error_of("output { if ([a] == 1 { } }"),
            "p.conf:1:23: expected ')' or an operator in the condition, found '{'");
  EXPECT_EQ(error_of("output { if [a] =~ 5 { } }"),
            "p.conf:1:20: expected a regular expression (/…/ or a string) after the match "
            "operator, found '5'");
  EXPECT_EQ(error_of("output { if ! 5 { } }"),
            "p.conf:1:15: expected '(' or a field reference such as [field] after '!', found '5'");
  EXPECT_EQ(error_of("output { if [a] { } else [b] { } }"),
            "p.conf:1:26: expected '{' or 'if' after 'else', found '['");
  EXPECT_EQ(error_of("output { if [a] =~ /x { } }"),
            "p.conf:1:20: the regular expression starting here has no closing /");
  EXPECT_EQ(error_of("output { if [a] not within [b] { } }"),
            "p.conf:1:21: expected 'in' after 'not', found 'within'");
  EXPECT_EQ(error_of("output { if [a] == 1 { s3 { } }"),
            "p.conf:1:32: expected '}' to close the output section, found the end of the file");
}

// Every prefix of every test pipeline, and each with one byte changed, either parses or is a
// ParseError: the parser never runs past the text, loops, or throws anything else.
TEST(LogstashConfig, EveryCutOrDamagedPipelineParsesOrIsAParseError) {
  size_t parsed = 0, refused = 0;
  for (const char* name : {"classic.conf", "community.conf", "conditionals.conf", "dcr-env.conf",
                           "broken.conf", "split/20-output.conf"}) {
    const std::string text = test::read_file(test::source_dir() + "/tests/data/logstash/" + name);
    std::vector<std::string> variants;
    for (size_t cut = 0; cut <= text.size(); ++cut) variants.push_back(text.substr(0, cut));
    for (size_t at = 0; at < text.size(); at += 7)
      for (char c : {'"', '\'', '{', '}', '[', ']', '#', '\\', '/', '('})
        variants.push_back(text.substr(0, at) + c + text.substr(at + 1));
    for (const std::string& variant : variants) {
      try {
        parse(variant, true);
        ++parsed;
      } catch (const ParseError& error) {
        EXPECT_GE(error.pos().line, 1);
        ++refused;
      }
    }
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(LogstashConfig, AFolderIsReadFileByFileInNameOrderAndErrorsNameTheFile) {
  test::TempDir dir;
  test::write_file(dir.file("20-output.conf"), "output { stdout { } }\n");
  test::write_file(dir.file("10-input.conf"), "input { s3 { bucket => \"b\" } }\n");
  PipelineConfig config = load_pipeline(dir.path().string());
  ASSERT_EQ(config.sections.size(), 2u);
  EXPECT_EQ(config.sections[0].type, "input");
  EXPECT_EQ(config.sections[1].pos.file, dir.file("20-output.conf"));
  EXPECT_EQ(config.files,
            (std::vector<std::string>{dir.file("10-input.conf"), dir.file("20-output.conf")}));
  test::write_file(dir.file("30-broken.conf"), "\n\nfilter { mutate { x => } }\n");
  try {
    load_pipeline(dir.path().string());
    FAIL() << "a broken file was accepted";
  } catch (const ParseError& error) {
    EXPECT_EQ(std::string(error.what()),
              dir.file("30-broken.conf") +
                  ":3:24: expected a value (a string, number, bareword, array or hash) after "
                  "'x =>', found '}'");
  }
  EXPECT_THROW(load_pipeline(dir.file("absent.conf")), std::runtime_error);
}

}  // namespace
}  // namespace gd2s::logstash
