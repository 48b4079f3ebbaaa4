#pragma once
// A pull-based stream of bytes: a file, an S3 object body, an SQS message, a decompressor.

#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>

namespace gd2s {

/// Raised when bytes cannot be read or decoded; the message says what and where.
class StreamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The transport failed rather than the content (a dropped connection, an I/O error): the
/// unit is abandoned and read again later rather than dead-lettered.
class TransportError : public StreamError {
 public:
  using StreamError::StreamError;
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  /// Fills up to buffer.size() bytes; returns 0 only at the end. Throws StreamError.
  virtual size_t read(std::span<char> buffer) = 0;
};

/// Reads a local file (or stdin for "-").
class FileByteStream final : public ByteStream {
 public:
  explicit FileByteStream(const std::string& path);
  ~FileByteStream() override;
  FileByteStream(const FileByteStream&) = delete;
  FileByteStream& operator=(const FileByteStream&) = delete;
  size_t read(std::span<char> buffer) override;

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = true;
};

/// Reads bytes held in memory (an SQS message body, a test input).
class MemoryByteStream final : public ByteStream {
 public:
  explicit MemoryByteStream(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t read(std::span<char> buffer) override;

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

}  // namespace gd2s
