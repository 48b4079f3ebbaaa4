#pragma once
// How an AWS JSON-protocol error is read and quoted in gd2sentinel's own messages, shared by the
// SQS and GuardDuty clients.

#include <initializer_list>
#include <string>
#include <string_view>

namespace gd2s::aws {

/// "aws.protocoltests#Code:http://internal..." or "com.amazon.coral.service#Code" → "Code".
std::string bare_error_code(std::string_view type);

/// Whether `code` is one of `codes`.
bool is_one_of(std::string_view code, std::initializer_list<std::string_view> codes);

/// The service's own words, kept short: the first line only (a SignatureDoesNotMatch message
/// goes on with the canonical request, which holds the session token), at most 300 characters.
std::string short_service_message(std::string_view message);

}  // namespace gd2s::aws
