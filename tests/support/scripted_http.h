#pragma once
// An HTTP client that answers from a script and keeps every request it was given: the answers
// are taken in order and the last one repeats; with no script at all it answers 200 "{}".

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "http/http_client.h"

namespace gd2s::test {

class ScriptedHttp final : public http::HttpClient {
 public:
  using Answer = std::function<http::Response(const http::Request&)>;

  ScriptedHttp() = default;
  /// Answers with these responses, in order; the last one repeats.
  explicit ScriptedHttp(const std::vector<http::Response>& answers) {
    for (const http::Response& response : answers)
      script.push_back([response](const http::Request&) { return response; });
  }

  http::Response send(const http::Request& request) override {
    Answer answer;
    {
      std::lock_guard lock(mutex_);
      requests.push_back(request);
      if (script.empty()) return {200, {}, "{}"};
      answer = script.front();
      if (script.size() > 1) script.pop_front();
    }
    return answer(request);
  }
  std::unique_ptr<http::ResponseStream> open(const http::Request&) override {
    throw http::HttpError(http::HttpError::Kind::kOther, "ScriptedHttp does not stream");
  }

  /// One answer a request; set before the client is used.
  std::deque<Answer> script;
  /// Every request, in the order sent; read once the calls are over.
  std::vector<http::Request> requests;

 private:
  std::mutex mutex_;
};

}  // namespace gd2s::test
