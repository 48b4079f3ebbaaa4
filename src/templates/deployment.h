#pragma once
// A deployment (parameters, resources, outputs) held once and printed as an ARM template (JSON)
// or as Bicep, so the two formats cannot say different things.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gd2s::templates {

/// A template expression in both languages: `arm` without the enclosing brackets
/// ("parameters('x')"), `bicep` as Bicep writes it ("x").
struct Expr {
  std::string arm;
  std::string bicep;
};

/// A JSON-like value whose strings may be expressions.
class Value {
 public:
  enum class Kind { kString, kExpr, kBool, kInt, kArray, kObject };

  Value(const char* text) : kind_(Kind::kString), text_(text) {}
  Value(std::string text) : kind_(Kind::kString), text_(std::move(text)) {}
  Value(Expr expr)
      : kind_(Kind::kExpr), text_(std::move(expr.arm)), bicep_(std::move(expr.bicep)) {}
  Value(bool flag) : kind_(Kind::kBool), flag_(flag) {}
  Value(int64_t number) : kind_(Kind::kInt), number_(number) {}

  static Value array(std::vector<Value> items = {});
  static Value object();

  /// Appends a member to an object (in order) and returns *this.
  Value& set(std::string key, Value value);
  /// Appends an item to an array and returns *this.
  Value& push(Value value);

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  const std::string& bicep() const { return bicep_; }
  bool flag() const { return flag_; }
  int64_t number() const { return number_; }
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<Value>& items() const { return items_; }

 private:
  explicit Value(Kind kind) : kind_(kind) {}

  Kind kind_;
  std::string text_;   // a string, or an expression in ARM's language
  std::string bicep_;  // an expression in Bicep's language
  bool flag_ = false;
  int64_t number_ = 0;
  std::vector<std::string> keys_;  // object member names, parallel to items_
  std::vector<Value> items_;
};

struct Parameter {
  std::string name;
  std::string description;
  std::optional<std::string> default_value;
  std::vector<std::string> allowed;
};

struct Resource {
  std::string symbol;  // Bicep's symbolic name
  std::string type;    // "Microsoft.Insights/dataCollectionRules"
  std::string api_version;
  /// An existing resource the deployment refers to but does not create (Bicep `existing`;
  /// absent from the ARM resources, which reach it by resourceId()).
  bool existing = false;
  /// For a child resource: the parent's symbol; `name` is then the child's own name.
  std::string parent;
  /// For an extension resource (role assignment): the symbol of the resource it applies to.
  std::string scope;
  Value name = "";
  /// The members after name: location, kind, properties…
  Value body = Value::object();
  std::vector<std::string> depends_on;  // symbols
};

struct Output {
  std::string name;
  std::string description;
  Value value;
};

struct Deployment {
  std::string description;
  std::vector<Parameter> parameters;
  std::vector<Resource> resources;
  std::vector<Output> outputs;
};

/// The deployment as an ARM template (deploymentTemplate.json schema), ending with a newline.
std::string to_arm(const Deployment& deployment);
/// The deployment as a Bicep file, ending with a newline.
std::string to_bicep(const Deployment& deployment);

/// ARM's resourceId() of a resource of the deployment, from its symbol.
std::string arm_resource_id(const Deployment& deployment, const std::string& symbol);

}  // namespace gd2s::templates
