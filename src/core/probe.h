#pragma once
// What `gd2sentinel check` hands each component: a place to say, one step at a time, what it
// tried against the real service and how that went. Each component's probe() makes its own
// requests, through its own clients, and names the permission a refusal asks for.

#include <string>

namespace gd2s {

class ProbeReport {
 public:
  virtual ~ProbeReport() = default;
  virtual void ok(const std::string& what) = 0;
  virtual void fail(const std::string& what, const std::string& cause) = 0;
  virtual void skip(const std::string& what, const std::string& why) = 0;
};

}  // namespace gd2s
