#include "gatehouse/batch.hpp"

#include <simdjson.h>

#include <cstring>

#include "evaluator_internal.hpp"
#include "json_text.hpp"

namespace gatehouse {

namespace od = simdjson::ondemand;

struct BatchRunner::Impl {
  od::parser parser;
  std::string input;  // the whole input plus simdjson's padding: lines are read in place
};

BatchRunner::BatchRunner(const Program& program, Limits limits)
    : program_(program), context_(limits), impl_(std::make_unique<Impl>()) {}

BatchRunner::~BatchRunner() = default;

namespace {

void envelope_error(const Program& program, std::size_t line, const char* what, std::string& out) {
  Decision d;
  d.rules_version = program.rules_version();
  d.errors.push_back({"", ErrorCode::invalid_json,
                      "line " + std::to_string(line) + ": " + what +
                          " (each line must be {\"pms\", \"model\", \"op\", \"payload\"[, "
                          "\"ignore_unknown_fields\"]})",
                      ""});
  d.operation = ast::Operation::update;
  append_json(d, out);
}

}  // namespace

BatchCounts BatchRunner::run(std::string_view raw_input, std::string& output) {
  BatchCounts counts;
  // One copy of the whole input with padding after it; every line and payload is then parsed in
  // place (a line's padding is the rest of the input and the tail).
  impl_->input.reserve(raw_input.size() + simdjson::SIMDJSON_PADDING);
  impl_->input.assign(raw_input.data(), raw_input.size());
  std::string_view input = impl_->input;
  const char* buffer_end = impl_->input.data() + impl_->input.capacity();
  std::size_t line_number = 0;
  std::size_t at = 0;
  while (at < input.size()) {
    const char* nl = static_cast<const char*>(std::memchr(input.data() + at, '\n', input.size() - at));
    std::size_t end = nl ? static_cast<std::size_t>(nl - input.data()) : input.size();
    std::string_view text = input.substr(at, end - at);
    at = end + 1;
    ++line_number;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) continue;

    ++counts.requests;
    od::document doc;
    od::object envelope;
    std::size_t capacity = static_cast<std::size_t>(buffer_end - text.data());
    // First pass: what the request is. The names are copied (short: no allocation) because the
    // second pass reuses the parser's string buffer.
    std::string pms, model, op;
    bool ignore_unknown_fields = false, have_payload = false, payload_is_object = false;
    std::string_view payload;
    bool ok = !impl_->parser.iterate(simdjson::padded_string_view(text.data(), text.size(), capacity)).get(doc) &&
              !doc.get_object().get(envelope);
    if (ok) {
      for (auto member_result : envelope) {
        od::field member;
        std::string_view key, value;
        if (std::move(member_result).get(member) || member.unescaped_key().get(key)) {
          ok = false;
          break;
        }
        od::value v = member.value();
        simdjson::error_code e = simdjson::SUCCESS;
        if (key == "pms") {
          e = v.get_string().get(value);
          pms = value;
        } else if (key == "model") {
          e = v.get_string().get(value);
          model = value;
        } else if (key == "op") {
          e = v.get_string().get(value);
          op = value;
        } else if (key == "ignore_unknown_fields") {
          e = v.get_bool().get(ignore_unknown_fields);
        } else if (key == "payload") {
          // The payload's own bytes, as sent: gatehouse checks them itself.
          have_payload = true;
          od::json_type type;
          e = v.type().get(type);
          if (!e && type == od::json_type::object) {
            od::object object;
            e = v.get_object().get(object);
            if (!e) e = object.raw_json().get(payload);
            payload_is_object = true;
          } else if (!e && type == od::json_type::array) {
            od::array array;
            e = v.get_array().get(array);
            if (!e) e = array.raw_json().get(payload);
          } else if (!e) {
            payload = v.raw_json_token();  // a scalar: evaluate() says it is no object
          }
        }
        if (e) {
          ok = false;
          break;
        }
      }
    }
    auto operation = ast::operation_from_name(op);
    if (!ok || !have_payload || pms.empty() || model.empty() || !operation) {
      envelope_error(program_, line_number, ok ? "missing or invalid pms, model, op or payload" : "not a JSON object", output);
      output += '\n';
      ++counts.rejected;
      continue;
    }
    Request request{pms, model, *operation, ignore_unknown_fields, payload};
    request.payload_is_padded = true;  // it lies inside `input`, which is padded
    // Second pass over the same document (no second parse): walk the payload object itself.
    od::object payload_object;
    bool walked = false;
    Decision d;
    if (payload_is_object) {
      doc.rewind();
      if (!doc.get_object().get(envelope)) {
        for (auto member_result : envelope) {
          od::field member;
          if (std::move(member_result).get(member)) break;
          if (member.key() == "payload") {
            if (!member.value().get_object().get(payload_object)) {
              d = internal::evaluate_parsed(program_, request, context_, payload_object);
              walked = true;
            }
            break;
          }
        }
      }
    }
    if (!walked) d = evaluate(program_, request, context_);
    append_json(d, output);
    output += '\n';
    switch (d.verdict) {
      case Verdict::accept: ++counts.accepted; break;
      case Verdict::strip: ++counts.stripped; break;
      case Verdict::reject: ++counts.rejected; break;
    }
  }
  return counts;
}

}  // namespace gatehouse
