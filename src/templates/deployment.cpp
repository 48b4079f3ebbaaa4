#include "templates/deployment.h"

#include <algorithm>
#include <stdexcept>

namespace gd2s::templates {

Value Value::array(std::vector<Value> items) {
  Value v(Kind::kArray);
  v.items_ = std::move(items);
  return v;
}

Value Value::object() {
  return Value(Kind::kObject);
}

Value& Value::set(std::string key, Value value) {
  if (kind_ != Kind::kObject) throw std::logic_error("Value::set on a non-object");
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
  return *this;
}

Value& Value::push(Value value) {
  if (kind_ != Kind::kArray) throw std::logic_error("Value::push on a non-array");
  items_.push_back(std::move(value));
  return *this;
}

namespace {

constexpr const char* kArmSchema =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

std::string indent(int depth) {
  return std::string(static_cast<size_t>(depth) * 2, ' ');
}

// What differs between the two languages when a value is printed.
struct Syntax {
  std::string (*expr)(const Value&);
  std::string (*literal)(const std::string&);
  std::string (*key)(const std::string&);
  const char* comma;
};

void print(const Value& value, int depth, const Syntax& syntax, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kString:
      out += syntax.literal(value.text());
      return;
    case Value::Kind::kExpr:
      out += syntax.expr(value);
      return;
    case Value::Kind::kBool:
      out += value.flag() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(value.number());
      return;
    case Value::Kind::kArray:
    case Value::Kind::kObject: {
      bool object = value.kind() == Value::Kind::kObject;
      if (value.items().empty()) {
        out += object ? "{}" : "[]";
        return;
      }
      out += object ? "{\n" : "[\n";
      for (size_t i = 0; i < value.items().size(); ++i) {
        out += indent(depth + 1);
        if (object) out += syntax.key(value.keys()[i]) + ": ";
        print(value.items()[i], depth + 1, syntax, out);
        if (i + 1 < value.items().size()) out += syntax.comma;
        out += "\n";
      }
      out += indent(depth) + (object ? "}" : "]");
      return;
    }
  }
}

// ---- ARM (JSON) ----

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A literal string that starts with "[" would be read as an expression: ARM escapes it as "[[".
std::string arm_literal(const std::string& text) {
  return json_string(text.starts_with("[") ? "[" + text : text);
}

// A string inside an ARM expression: single quotes, a quote doubled.
std::string arm_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// A value that may be a literal or an expression, as an argument of an ARM function.
std::string arm_argument(const Value& value) {
  if (value.kind() == Value::Kind::kExpr) return value.text();
  if (value.kind() == Value::Kind::kString) return arm_quoted(value.text());
  throw std::logic_error("only strings and expressions can be ARM function arguments");
}

// ARM writes JSON: quoted keys, commas between members; an expression is a "[…]" string.
const Syntax kArm{[](const Value& v) { return json_string("[" + v.text() + "]"); },
                  [](const std::string& text) { return arm_literal(text); },
                  [](const std::string& key) { return json_string(key); }, ","};

void arm_value(const Value& value, int depth, std::string& out) {
  print(value, depth, kArm, out);
}

const Resource& find_resource(const Deployment& deployment, const std::string& symbol) {
  for (const Resource& r : deployment.resources)
    if (r.symbol == symbol) return r;
  throw std::logic_error("no resource with the symbol " + symbol);
}

// The name arguments of resourceId(): the parent's name (if any), then the resource's own.
std::vector<std::string> arm_name_parts(const Deployment& deployment, const Resource& resource) {
  std::vector<std::string> parts;
  if (!resource.parent.empty())
    parts = arm_name_parts(deployment, find_resource(deployment, resource.parent));
  parts.push_back(arm_argument(resource.name));
  return parts;
}

// The resource's name as ARM writes it: a child's name joins its parent's ("ws/table").
Value arm_name(const Deployment& deployment, const Resource& resource) {
  std::vector<std::string> parts = arm_name_parts(deployment, resource);
  if (parts.size() == 1) return resource.name;
  std::string pattern, args;
  for (size_t i = 0; i < parts.size(); ++i) {
    pattern += (i ? "/{" : "{") + std::to_string(i) + "}";
    args += ", " + parts[i];
  }
  return Expr{"format('" + pattern + "'" + args + ")", ""};
}

Value arm_resource(const Deployment& deployment, const Resource& resource) {
  Value out = Value::object();
  out.set("type", resource.type);
  out.set("apiVersion", resource.api_version);
  out.set("name", arm_name(deployment, resource));
  if (!resource.scope.empty()) {
    const Resource& target = find_resource(deployment, resource.scope);
    std::vector<std::string> parts = arm_name_parts(deployment, target);
    std::string pattern = target.type, args;
    for (size_t i = 0; i < parts.size(); ++i) {
      pattern += "/{" + std::to_string(i) + "}";
      args += ", " + parts[i];
    }
    out.set("scope", Expr{"format('" + pattern + "'" + args + ")", ""});
  }
  for (size_t i = 0; i < resource.body.keys().size(); ++i)
    out.set(resource.body.keys()[i], resource.body.items()[i]);
  std::vector<Value> depends;
  std::vector<std::string> symbols = resource.depends_on;
  if (!resource.scope.empty()) symbols.insert(symbols.begin(), resource.scope);
  for (const std::string& symbol : symbols)
    if (!find_resource(deployment, symbol).existing)
      depends.push_back(Expr{arm_resource_id(deployment, symbol), ""});
  if (!depends.empty()) out.set("dependsOn", Value::array(std::move(depends)));
  return out;
}

// ---- Bicep ----

std::string bicep_string(std::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '$':
        out += i + 1 < text.size() && text[i + 1] == '{' ? "\\$" : "$";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

bool bicep_identifier(std::string_view key) {
  if (key.empty() || !(std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_'))
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Bicep: bare keys where they are identifiers, no commas, expressions as they are.
const Syntax kBicep{
    [](const Value& v) { return v.bicep(); },
    [](const std::string& text) { return bicep_string(text); },
    [](const std::string& key) { return bicep_identifier(key) ? key : bicep_string(key); }, ""};

void bicep_value(const Value& value, int depth, std::string& out) {
  print(value, depth, kBicep, out);
}

void bicep_description(const std::string& description, std::string& out) {
  if (!description.empty()) out += "@description(" + bicep_string(description) + ")\n";
}

}  // namespace

std::string arm_resource_id(const Deployment& deployment, const std::string& symbol) {
  const Resource& resource = find_resource(deployment, symbol);
  std::string id = "resourceId('" + resource.type + "'";
  for (const std::string& part : arm_name_parts(deployment, resource)) id += ", " + part;
  return id + ")";
}

std::string to_arm(const Deployment& deployment) {
  std::string out = "{\n";
  out += indent(1) + "\"$schema\": " + json_string(kArmSchema) + ",\n";
  out += indent(1) + "\"contentVersion\": \"1.0.0.0\",\n";
  out += indent(1) + "\"metadata\": {\n" + indent(2) +
         "\"description\": " + json_string(deployment.description) + "\n" + indent(1) + "},\n";

  Value parameters = Value::object();
  for (const Parameter& p : deployment.parameters) {
    Value param = Value::object();
    param.set("type", "string");
    if (p.default_value) param.set("defaultValue", *p.default_value);
    if (!p.allowed.empty()) {
      Value allowed = Value::array();
      for (const std::string& a : p.allowed) allowed.push(a);
      param.set("allowedValues", allowed);
    }
    param.set("metadata", Value::object().set("description", p.description));
    parameters.set(p.name, param);
  }
  out += indent(1) + "\"parameters\": ";
  arm_value(parameters, 1, out);
  out += ",\n";

  out += indent(1) + "\"resources\": [\n";
  bool first = true;
  for (const Resource& resource : deployment.resources) {
    if (resource.existing) continue;
    out += (first ? "" : ",\n") + indent(2);
    arm_value(arm_resource(deployment, resource), 2, out);
    first = false;
  }
  out += "\n" + indent(1) + "],\n";

  Value outputs = Value::object();
  for (const Output& o : deployment.outputs) {
    Value output = Value::object();
    output.set("type", "string");
    output.set("value", o.value);
    output.set("metadata", Value::object().set("description", o.description));
    outputs.set(o.name, output);
  }
  out += indent(1) + "\"outputs\": ";
  arm_value(outputs, 1, out);
  out += "\n}\n";
  return out;
}

std::string to_bicep(const Deployment& deployment) {
  std::string out = "// " + deployment.description + "\n";
  for (const Parameter& p : deployment.parameters) {
    out += "\n";
    bicep_description(p.description, out);
    if (!p.allowed.empty()) {
      out += "@allowed([\n";
      for (const std::string& a : p.allowed) out += indent(1) + bicep_string(a) + "\n";
      out += "])\n";
    }
    out += "param " + p.name + " string";
    if (p.default_value) out += " = " + bicep_string(*p.default_value);
    out += "\n";
  }
  for (const Resource& resource : deployment.resources) {
    out += "\nresource " + resource.symbol + " '" + resource.type + "@" + resource.api_version +
           "'" + (resource.existing ? " existing" : "") + " = {\n";
    if (!resource.parent.empty()) out += indent(1) + "parent: " + resource.parent + "\n";
    if (!resource.scope.empty()) out += indent(1) + "scope: " + resource.scope + "\n";
    out += indent(1) + "name: ";
    bicep_value(resource.name, 1, out);
    out += "\n";
    for (size_t i = 0; i < resource.body.keys().size(); ++i) {
      out += indent(1) + resource.body.keys()[i] + ": ";
      bicep_value(resource.body.items()[i], 1, out);
      out += "\n";
    }
    // Bicep infers dependencies on a parent or scope; only the others are written.
    if (!resource.depends_on.empty()) {
      out += indent(1) + "dependsOn: [\n";
      for (const std::string& symbol : resource.depends_on) out += indent(2) + symbol + "\n";
      out += indent(1) + "]\n";
    }
    out += "}\n";
  }
  for (const Output& o : deployment.outputs) {
    out += "\n";
    bicep_description(o.description, out);
    out += "output " + o.name + " string = ";
    bicep_value(o.value, 0, out);
    out += "\n";
  }
  return out;
}

}  // namespace gd2s::templates
