#pragma once
// The validators gatehouse is compared with, on the same bytes and the same rules (as the JSON
// Schema that `gatehouse schema` exports). Each returns whether the payload is valid.
#include <memory>
#include <string>

namespace bench {

class Peer {
 public:
  virtual ~Peer() = default;
  /// Parses `payload` and validates it; true when valid.
  virtual bool validate(const std::string& payload) = 0;
};

/// RapidJSON: parse into a Document, then SchemaValidator (RapidJSON implements draft-04: newer
/// keywords such as if/then and const are ignored, and patterns outside its regex subset are
/// dropped, so it checks less than the schema says).
std::unique_ptr<Peer> make_rapidjson_schema(const std::string& schema);

/// valijson (draft 7 parser) over the RapidJSON adapter: parse into a RapidJSON Document, then
/// validate.
std::unique_ptr<Peer> make_valijson(const std::string& schema);

}  // namespace bench
