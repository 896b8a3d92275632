#include "peers.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <valijson/adapters/rapidjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <iostream>

namespace bench {

namespace {

rapidjson::Document parse_schema(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError()) {
    std::cerr << "gatehouse_bench: the exported schema is not JSON\n";
    std::exit(2);
  }
  return d;
}

class RapidJsonSchema : public Peer {
 public:
  explicit RapidJsonSchema(const std::string& schema)
      : schema_document_(parse_schema(schema)), schema_(schema_document_) {}

  bool validate(const std::string& payload) override {
    rapidjson::Document d;
    d.Parse(payload.c_str(), payload.size());
    if (d.HasParseError()) return false;
    rapidjson::SchemaValidator validator(schema_);
    return d.Accept(validator);
  }

 private:
  rapidjson::Document schema_document_;
  rapidjson::SchemaDocument schema_;
};

class Valijson : public Peer {
 public:
  explicit Valijson(const std::string& schema) {
    rapidjson::Document d = parse_schema(schema);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::RapidJsonAdapter adapter(d);
    parser.populateSchema(adapter, schema_);
  }

  bool validate(const std::string& payload) override {
    rapidjson::Document d;
    d.Parse(payload.c_str(), payload.size());
    if (d.HasParseError()) return false;
    valijson::Validator validator;
    valijson::adapters::RapidJsonAdapter adapter(d);
    return validator.validate(schema_, adapter, nullptr);
  }

 private:
  valijson::Schema schema_;
};

}  // namespace

std::unique_ptr<Peer> make_rapidjson_schema(const std::string& schema) {
  return std::make_unique<RapidJsonSchema>(schema);
}

std::unique_ptr<Peer> make_valijson(const std::string& schema) { return std::make_unique<Valijson>(schema); }

}  // namespace bench
