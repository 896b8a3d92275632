// The evaluator: one pass over the payload with simdjson on-demand, checking each value against
// the compiled RecordRules as it is read.
//
// Per-call state lives in EvaluationContext::State (frames per depth, reused across calls), so
// the accept path allocates nothing once the buffers have grown. Error messages are built only
// when there is an error. On any JSON syntax problem the walk stops and json_locator finds the
// exact byte offset for the message.
// A message that quotes the request (a key, the PMS or the model asked for) quotes it with
// quote_bytes, so the message is valid UTF-8 whatever bytes the caller sent.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>

#include "condition_eval.hpp"
#include "evaluator_internal.hpp"
#include "gatehouse/evaluator.hpp"
#include "json_locator.hpp"
#include "json_text.hpp"
#include "suggest.hpp"
#include "value_formats.hpp"

namespace gatehouse {

namespace od = simdjson::ondemand;

struct EvaluationContext::State {
  explicit State(Limits l) : limits(l), path(2 * std::size_t{l.max_depth} + 8), frames(l.max_depth + 2) {}

  struct Frame {
    std::vector<FieldValue> values;            // one per field of the record being read
    std::vector<std::uint32_t> touched;        // slots this object set (to reset them after)
    std::vector<std::uint32_t> member_starts;  // byte offset of each member's key
    std::vector<std::uint8_t> member_stripped;
    std::unordered_set<std::string> unknown_keys;  // to catch duplicate unknown keys in one probe
  };

  Limits limits;
  od::parser parser;
  std::string padded;  // the payload plus simdjson's padding
  /// Where the value being read is, as segments; the JSON Pointer text is only made when an
  /// error (or a trace) needs it.
  struct Segment {
    enum Kind : std::uint8_t { token, key, index };
    Kind kind;
    std::uint32_t number;   // index
    std::string_view text;  // token: already escaped ("/name"); key: raw key, escaped when written
  };
  std::vector<Segment> path;  // sized for the depth limit up front; path_size is in use
  std::size_t path_size = 0;
  std::string output;  // a strip decision's payload
  std::vector<Frame> frames;  // indexed by depth; sized once so references stay valid
  std::vector<std::pair<std::uint32_t, std::uint32_t>> removals;  // [begin, end) to strip
  Trace* trace = nullptr;
};

EvaluationContext::EvaluationContext(Limits limits) : state_(std::make_unique<State>(limits)) {}

EvaluationContext& thread_context(const Limits& limits) {
  thread_local std::unique_ptr<EvaluationContext> context;
  if (!context || !(context->limits() == limits)) context = std::make_unique<EvaluationContext>(limits);
  return *context;
}
EvaluationContext::~EvaluationContext() = default;
const Limits& EvaluationContext::limits() const { return state_->limits; }
void EvaluationContext::set_trace(Trace* trace) { state_->trace = trace; }

namespace {

std::string_view json_type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

std::string describe_type(const ValueRules& r) {
  switch (r.kind) {
    case ValueKind::string: return "a string";
    case ValueKind::integer: return "an integer";
    case ValueKind::decimal: return "a number";
    case ValueKind::boolean: return "true or false";
    case ValueKind::date: return "a date string (YYYY-MM-DD)";
    case ValueKind::datetime: return "an RFC 3339 datetime string";
    case ValueKind::email: return "an email address string";
    case ValueKind::phone: return "a phone number string";
    case ValueKind::uuid: return "a UUID string";
    case ValueKind::enumeration: return "one of the strings " + join(r.allowed);
    case ValueKind::list: return "an array";
    case ValueKind::record: return "an object (" + r.type_name + ")";
    case ValueKind::date_or_datetime: return "a date (YYYY-MM-DD) or RFC 3339 datetime string";
    case ValueKind::uri: return "a URI string";
    case ValueKind::object: return "an object";
  }
  return r.type_name;
}

bool is_string_kind(ValueKind k) {
  return k == ValueKind::string || k == ValueKind::email || k == ValueKind::phone ||
         k == ValueKind::uuid || k == ValueKind::date || k == ValueKind::datetime ||
         k == ValueKind::enumeration || k == ValueKind::date_or_datetime || k == ValueKind::uri;
}

std::string_view trim_token(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                            token.back() == '\t' || token.back() == ',' || token.back() == '}' ||
                            token.back() == ']'))
    token.remove_suffix(1);
  return token;
}

class Walker {
  using State = EvaluationContext::State;

 public:
  Walker(const Program& program, const PmsRules& pms, const Request& request,
         EvaluationContext::State& state, Decision& decision)
      : program_(program), pms_name_(pms.display_name), request_(request), s_(state), d_(decision) {}

  /// Reads the payload against `record`. Returns false when the payload is not valid JSON.
  bool run(const RecordRules& record) {
    std::size_t n = request_.payload.size();
    std::size_t capacity = n + simdjson::SIMDJSON_PADDING;
    if (request_.payload_is_padded) {
      base_ = request_.payload.data();
    } else {
      s_.padded.reserve(capacity);
      s_.padded.assign(request_.payload.data(), n);
      base_ = s_.padded.data();
      capacity = s_.padded.capacity();
    }
    end_ = base_ + n;
    od::document doc;
    if (s_.parser.iterate(simdjson::padded_string_view(base_, n, capacity)).get(doc)) return false;
    od::object root;
    if (doc.get_object().get(root)) return false;
    s_.path_size = 0;
    s_.removals.clear();
    if (!object(root, record, 1)) return false;
    // Anything after the object is trailing garbage: simdjson then still has a location.
    const char* rest = nullptr;
    if (!doc.current_location().get(rest)) return false;
    return true;
  }

  /// The same walk over an object someone else parsed (see evaluator_internal.hpp).
  bool run_parsed(od::object root, const RecordRules& record) {
    base_ = request_.payload.data();
    end_ = base_ + request_.payload.size();
    s_.path_size = 0;
    s_.removals.clear();
    return object(root, record, 1);
  }

 private:
  const Program& program_;
  const std::string& pms_name_;
  const Request& request_;
  EvaluationContext::State& s_;
  Decision& d_;
  const char* base_ = nullptr;
  const char* end_ = nullptr;
  bool depth_reported_ = false;
  // How many errors the walk reported: d_.errors.size() without the division by sizeof(Issue),
  // read twice per value to tell whether that value added any.
  std::size_t errors_ = 0;
  std::size_t unlisted_errors_ = 0, unlisted_stripped_ = 0;  // past Limits::max_issues

  std::string pointer() const {
    std::string out;
    for (std::size_t i = 0; i < s_.path_size; ++i) {
      const auto& seg = s_.path[i];
      switch (seg.kind) {
        case State::Segment::token: out += seg.text; break;
        case State::Segment::key: append_pointer_token(out, seg.text); break;
        case State::Segment::index:
          out += '/';
          out += std::to_string(seg.number);
          break;
      }
    }
    return out;
  }

  void push(State::Segment segment) {
    if (s_.path_size == s_.path.size()) [[unlikely]]
      s_.path.resize(s_.path.size() * 2);  // the depth limit keeps this from happening
    s_.path[s_.path_size++] = segment;
  }
  void push_token(std::string_view token) { push({State::Segment::token, 0, token}); }
  void push_key(std::string_view key) { push({State::Segment::key, 0, key}); }
  void push_index(std::uint32_t i) { push({State::Segment::index, i, {}}); }
  void pop() { --s_.path_size; }

  /// Whether the errors (or the stripped fields) listed so far reached Limits::max_issues: the
  /// caller then need not build a message.
  bool errors_full() const { return d_.errors.size() >= s_.limits.max_issues; }
  bool stripped_full() const { return d_.stripped.size() >= s_.limits.max_issues; }

 public:
  /// After the walk: one too_many_errors issue for each list that was cut.
  void close_lists() {
    auto close = [&](std::vector<Issue>& list, std::size_t unlisted, const char* what) {
      if (unlisted == 0) return;
      list.push_back({"", ErrorCode::too_many_errors,
                      std::to_string(unlisted) + " more " + what + " not listed (the limit is " +
                          std::to_string(s_.limits.max_issues) + ")",
                      ""});
    };
    close(d_.errors, unlisted_errors_, "errors");
    close(d_.stripped, unlisted_stripped_, "stripped fields");
  }

 private:

  void error(ErrorCode code, std::string message, const SourceRef& rule) {
    ++errors_;
    if (errors_full()) {
      ++unlisted_errors_;
      return;
    }
    if (d_.errors.empty()) d_.errors.reserve(8);  // one allocation for the usual handful
    d_.errors.push_back({pointer(), code, std::move(message), program_.rule_text(rule)});
  }

  void trace(TraceStep::Kind kind, const SourceRef& rule, TraceStep::Outcome outcome) {
    if (s_.trace) [[unlikely]]
      s_.trace->steps.push_back({kind, pointer(), rule, outcome});
  }

  static TraceStep::Outcome outcome_of(bool passed) {
    return passed ? TraceStep::Outcome::passed : TraceStep::Outcome::failed;
  }

  /// An unknown or unsupported member: stripped with the flag, an error without it.
  void strippable(ErrorCode code, std::string message, const SourceRef& rule) {
    trace(TraceStep::Kind::not_supported, rule, TraceStep::Outcome::failed);
    if (!request_.ignore_unknown_fields) return error(code, std::move(message), rule);
    if (stripped_full()) {
      ++unlisted_stripped_;
      return;
    }
    auto& list = d_.stripped;
    if (list.empty()) list.reserve(8);
    list.push_back({pointer(), code, std::move(message), program_.rule_text(rule)});
  }

  bool too_deep(std::uint32_t depth) {
    if (depth <= s_.limits.max_depth) return false;
    if (!depth_reported_) {
      depth_reported_ = true;
      ++errors_;
      d_.errors.push_back({pointer(), ErrorCode::nesting_too_deep,
                           "objects and arrays nest deeper than the limit of " +
                               std::to_string(s_.limits.max_depth),
                           ""});
    }
    return true;
  }

  /// A key without escapes is its own bytes: no need to copy it out. The closing quote is
  /// within the padded document, so the scan stops.
  bool plain_key(const char* raw, std::string_view& key) const {
    // Eight bytes at a time (the padding after the document keeps the reads in bounds): the
    // first '"' or '\\' ends the scan; a backslash means the key has escapes.
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const char* p = raw;
    while (p < end_) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      std::uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
      std::uint64_t hits = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
      if (hits == 0) {
        p += 8;
        continue;
      }
      p += __builtin_ctzll(hits) / 8;
      if (*p == '\\' || p >= end_) return false;
      key = std::string_view(raw, static_cast<std::size_t>(p - raw));
      return true;
    }
    return false;
  }

  // ---- records ----
  bool object(od::object obj, const RecordRules& rules, std::uint32_t depth) {
    auto& frame = s_.frames[depth];
    // Every slot is absent between objects: reset the ones the last object at this depth used,
    // not the whole table, and only their state (the rest of a slot is read only while its state
    // says valid, and is always written with it).
    for (std::uint32_t i : frame.touched) frame.values[i].state = FieldValue::absent;
    frame.touched.clear();
    if (frame.values.size() < rules.fields.size()) frame.values.resize(rules.fields.size());
    frame.member_starts.clear();
    frame.member_stripped.clear();
    if (!frame.unknown_keys.empty()) frame.unknown_keys.clear();
    bool any_stripped = false;

    for (auto member_result : obj) {
      // Used in place, not copied out with get(): GCC copies a field or a value as two small
      // stores and one wide load, which stalls store forwarding once per member (a fifth of
      // the decision's time on the typical payload).
      if (member_result.error()) return false;
      od::field& member = member_result.value_unsafe();
      const char* raw_key = member.key().raw();
      std::string_view key;
      if (!plain_key(raw_key, key) && member.unescaped_key().get(key)) return false;
      if (request_.ignore_unknown_fields) {  // member positions only matter for a strip
        frame.member_starts.push_back(static_cast<std::uint32_t>(raw_key - 1 - base_));
        frame.member_stripped.push_back(0);
      }
      od::value& v = member.value();

      std::uint32_t index = rules.index.find(key);
      if (index != FieldIndex::npos) {
        const FieldRules& field = rules.fields[index];
        push_token(field.pointer_token);
        FieldValue& slot = frame.values[index];
        if (slot.state == FieldValue::absent) frame.touched.push_back(index);
        if (slot.state != FieldValue::absent) {
          error(ErrorCode::duplicate_field, concat({"'", field.name, "' appears more than once"}),
                field.rule);
          if (!skip(v, depth)) return false;
        } else if (field.supported) {
          const std::size_t errors_before = errors_;
          if (!value(v, field.value, field, depth, &slot)) return false;
          trace(TraceStep::Kind::field, field.rule, outcome_of(errors_ == errors_before));
        } else {
          // Checked against the generic type: an invalid value fails even when it would be stripped.
          if (!value(v, field.value, field, depth, &slot)) return false;
          strippable(ErrorCode::unsupported_field,
                     concat({pms_name_, " does not accept '", field.name, "' on ", request_.model, " ",
                             ast::operation_name(request_.operation)}),
                     rules.unsupported_rule);
          if (request_.ignore_unknown_fields) frame.member_stripped.back() = 1;
          any_stripped |= request_.ignore_unknown_fields;
        }
      } else {
        push_key(key);
        if (!frame.unknown_keys.emplace(key).second) {
          error(ErrorCode::duplicate_field, errors_full() ? std::string() : quote_bytes(key) + " appears more than once",
                rules.generic_rule);
        } else {
          // The message (and its suggestion) only for an issue that will be listed.
          bool listed = request_.ignore_unknown_fields ? !stripped_full() : !errors_full();
          // The top level is a route's body, which may hold fewer fields than its model has.
          std::string_view of = depth == 1 ? "the " : "";
          std::string route = depth == 1 ? std::string(" ") + ast::operation_name(request_.operation) + " route" : "";
          strippable(ErrorCode::unknown_field,
                     listed ? concat({quote_bytes(key), " is not a field of ", of, rules.name, route,
                                      did_you_mean(key, rules.names)})
                            : std::string(),
                     rules.generic_rule);
          if (request_.ignore_unknown_fields) frame.member_stripped.back() = 1;
          any_stripped |= request_.ignore_unknown_fields;
        }
        if (!skip(v, depth)) return false;
      }
      pop();
    }

    cross_field_rules(rules, frame.values);
    if (any_stripped) plan_removals(frame);
    return true;
  }

  void cross_field_rules(const RecordRules& rules, const std::vector<FieldValue>& values) {
    auto at_field = [&](std::uint32_t index) { push_token(rules.fields[index].pointer_token); };
    for (std::uint32_t index : rules.required) {
      if (values[index].state != FieldValue::absent) continue;
      at_field(index);
      error(ErrorCode::missing_required_field, concat({rules.fields[index].name, " is required"}),
            rules.fields[index].rule);
      trace(TraceStep::Kind::field, rules.fields[index].rule, TraceStep::Outcome::failed);
      pop();
    }
    if (!rules.has_cross_field_rules()) return;
    for (const auto& req : rules.conditional_requirements) {
      if (evaluate_condition(req.when, values) != Truth::yes) {
        trace(TraceStep::Kind::cross_field_rule, req.rule, TraceStep::Outcome::not_applied);
        continue;
      }
      bool all_present = true;
      for (std::uint32_t index : req.fields) {
        if (values[index].state != FieldValue::absent) continue;
        all_present = false;
        at_field(index);
        error(ErrorCode::missing_required_field, req.message, req.rule);
        pop();
      }
      trace(TraceStep::Kind::cross_field_rule, req.rule, outcome_of(all_present));
    }
    for (const auto& rule : rules.at_least_one) {
      bool any = std::any_of(rule.fields.begin(), rule.fields.end(), [&](std::uint32_t i) {
        return values[i].state == FieldValue::valid || values[i].state == FieldValue::invalid;
      });
      trace(TraceStep::Kind::cross_field_rule, rule.rule, outcome_of(any));
      if (any) continue;
      at_field(rule.fields.front());
      error(ErrorCode::rule_violation, rule.message, rule.rule);
      pop();
    }
    for (const auto& check : rules.checks) {
      Truth truth = evaluate_condition(check.condition, values);
      trace(TraceStep::Kind::cross_field_rule, check.rule,
            truth == Truth::unknown ? TraceStep::Outcome::not_applied : outcome_of(truth == Truth::yes));
      if (truth != Truth::no) continue;
      at_field(check.path_field);
      error(ErrorCode::rule_violation, check.message, check.rule);
      pop();
    }
  }

  /// Byte ranges that remove the stripped members of one object and exactly the separators
  /// that belonged to them; everything else stays as sent.
  void plan_removals(const EvaluationContext::State::Frame& frame) {
    const std::string_view text = request_.payload;
    const std::size_t n = frame.member_starts.size();
    auto start = [&](std::size_t i) { return frame.member_starts[i]; };
    auto end = [&](std::size_t i) { return static_cast<std::uint32_t>(member_end(text, start(i))); };
    std::size_t first_kept = n;
    for (std::size_t i = 0; i < n; ++i)
      if (!frame.member_stripped[i]) {
        first_kept = i;
        break;
      }
    if (first_kept == n) {  // nothing kept: remove from the first member to the end of the last
      s_.removals.emplace_back(start(0), end(n - 1));
      return;
    }
    if (first_kept > 0) s_.removals.emplace_back(start(0), start(first_kept));
    std::size_t previous_kept = first_kept;
    for (std::size_t i = first_kept + 1; i <= n; ++i) {
      if (i < n && frame.member_stripped[i]) continue;
      // Members previous_kept+1 .. i-1 are stripped: drop from the end of the kept one before
      // them to the end of the last stripped one, keeping the separator in front of member i.
      if (i > previous_kept + 1) s_.removals.emplace_back(end(previous_kept), end(i - 1));
      previous_kept = i;
    }
  }

  // ---- values ----
  bool mismatch(od::value& v, od::json_type t, const ValueRules& r, const FieldRules& field,
                std::uint32_t depth, FieldValue* slot) {
    error(ErrorCode::type_mismatch,
          concat({"expected ", describe_type(r), ", got ", json_type_name(t)}), field.rule);
    if (slot) slot->state = FieldValue::invalid;
    return skip(v, depth);
  }

  bool value(od::value& v, const ValueRules& r, const FieldRules& field, std::uint32_t depth,
             FieldValue* slot) {
    // The usual case first: a string where a string kind is expected is read at once. Asking
    // for its type beforehand would look at the value twice; a value that is not a string is
    // left unread (simdjson only peeks at it) and goes the general way below.
    if (is_string_kind(r.kind)) {
      std::string_view text;
      const auto e = v.get_string().get(text);
      if (!e) {
        const std::size_t errors_before = errors_;
        FieldValue scratch;
        FieldValue& out = slot ? *slot : scratch;
        out.state = FieldValue::valid;
        string_value(text, r, field, out);
        if (errors_ != errors_before) out.state = FieldValue::invalid;
        return true;
      }
      if (e != simdjson::INCORRECT_TYPE) return false;
    }
    od::json_type t;
    if (v.type().get(t)) return false;
    if (t == od::json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return false;
      if (slot) slot->state = FieldValue::null;
      if (!r.nullable) error(ErrorCode::null_not_allowed, concat({field.name, " may not be null"}), field.rule);
      return true;
    }
    const std::size_t errors_before = errors_;
    FieldValue scratch;
    FieldValue& out = slot ? *slot : scratch;
    out.state = FieldValue::valid;

    if (is_string_kind(r.kind)) {
      return mismatch(v, t, r, field, depth, slot);  // a string was read above
    } else if (r.kind == ValueKind::integer || r.kind == ValueKind::decimal) {
      if (t != od::json_type::number) return mismatch(v, t, r, field, depth, slot);
      if (!number(v, r, field, out)) return false;
    } else if (r.kind == ValueKind::boolean) {
      if (t != od::json_type::boolean) return mismatch(v, t, r, field, depth, slot);
      bool b;
      if (v.get_bool().get(b)) return false;
      out.kind = FieldValue::boolean;
      out.b = b;
    } else if (r.kind == ValueKind::list) {
      if (t != od::json_type::array) return mismatch(v, t, r, field, depth, slot);
      if (!list(v, r, field, depth)) return false;
      out.kind = FieldValue::none;
    } else if (r.kind == ValueKind::object) {
      // Free-form data: any object is taken as it is (simdjson has validated it already).
      if (t != od::json_type::object) return mismatch(v, t, r, field, depth, slot);
      out.kind = FieldValue::none;
      if (!skip(v, depth)) return false;
    } else if (r.kind == ValueKind::record) {
      if (t != od::json_type::object) return mismatch(v, t, r, field, depth, slot);
      out.kind = FieldValue::none;
      if (too_deep(depth + 1)) return true;
      od::object obj;
      if (v.get_object().get(obj)) return false;
      if (!object(obj, *r.record, depth + 1)) return false;
    }
    if (errors_ != errors_before) out.state = FieldValue::invalid;
    return true;
  }

  /// Reads a string value. Raw control characters and invalid UTF-8 never get here: simdjson's
  /// first stage rejects the whole document for them (UNESCAPED_CHARS, UTF8_ERROR).
  bool string(od::value& v, std::string_view& text) { return !v.get_string().get(text); }

  void string_value(std::string_view text, const ValueRules& r, const FieldRules& field,
                    FieldValue& out) {
    out.kind = FieldValue::text;
    out.s = text;
    auto format = [&](const char* what) {
      error(ErrorCode::invalid_format, concat({field.name, " must be ", what}), field.rule);
    };
    switch (r.kind) {
      case ValueKind::date: {
        auto days = formats::parse_date(text);
        if (!days) return format("a date in the form YYYY-MM-DD");
        out.kind = FieldValue::instant;
        out.i = *days;
        out.nanos = 0;
        return;
      }
      case ValueKind::datetime: {
        auto t = formats::parse_datetime(text);
        if (!t) return format("an RFC 3339 datetime such as 2026-01-31T09:30:00Z");
        out.kind = FieldValue::instant;
        out.i = t->seconds;
        out.nanos = t->nanos;
        return;
      }
      case ValueKind::date_or_datetime: {
        // Either form is an instant for conditions: a date is its midnight, UTC.
        if (auto t = formats::parse_datetime(text)) {
          out.kind = FieldValue::instant;
          out.i = t->seconds;
          out.nanos = t->nanos;
        } else if (auto days = formats::parse_date(text)) {
          out.kind = FieldValue::instant;
          out.i = *days * 86400;
          out.nanos = 0;
        } else {
          format("a date (YYYY-MM-DD) or an RFC 3339 datetime such as 2026-01-31T09:30:00Z");
        }
        return;
      }
      case ValueKind::uuid:
        if (!formats::is_uuid(text)) format("a UUID (8-4-4-4-12 hexadecimal digits)");
        return;
      case ValueKind::uri:
        if (!formats::is_uri(text)) format("an absolute URI such as https://example.com/a");
        break;
      case ValueKind::email:
        if (!formats::is_email(text)) format("an email address");
        break;
      case ValueKind::phone:
        if (!formats::is_phone(text)) format("a phone number (7 to 15 digits, optional +, spaces, dashes, dots, parentheses)");
        break;
      case ValueKind::enumeration:
      case ValueKind::string:
        if (!r.allowed.empty() || r.kind == ValueKind::enumeration) {
          if (r.allowed_index.find(text) == FieldIndex::npos)
            error(ErrorCode::not_in_enum,
                  concat({field.name, " must be one of ", join(r.allowed), "; got ", json_quote(text)}),
                  field.rule);
        }
        break;
      default: break;
    }
    if (r.min_length || r.max_length) {
      std::size_t length = formats::code_points(text);
      if (r.min_length && length < *r.min_length)
        error(ErrorCode::too_short,
              concat({field.name, " must be at least ", characters(*r.min_length), " long; got ",
                      std::to_string(length)}),
              field.rule);
      if (r.max_length && length > *r.max_length)
        error(ErrorCode::too_long,
              concat({field.name, " must be at most ", characters(*r.max_length), " long; got ",
                      std::to_string(length)}),
              field.rule);
    }
    if (r.pattern && !r.pattern->search(text))
      error(ErrorCode::invalid_format, concat({field.name, " must match /", r.pattern->source(), "/"}),
            field.rule);
  }

  static std::string characters(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " character" : " characters");
  }

  bool number(od::value& v, const ValueRules& r, const FieldRules& field, FieldValue& out) {
    std::string_view raw = trim_token(v.raw_json_token());
    od::number_type nt;
    if (v.get_number_type().get(nt)) return false;
    bool is_integer_token = raw.find_first_of(".eE") == std::string_view::npos;
    if (r.kind == ValueKind::integer) {
      // As in JSON Schema, an integer is a number without a fractional part, however spelled
      // (10, 1E1 and 10.0 are the same integer); the payload still goes on as sent.
      if (!is_integer_token) {
        // Decided from the decimal text, not from a double: a double rounds
        // 1.0000000000000001 to 1 and 9223372036854775807.0 past the 64-bit range.
        if (!is_json_number(raw)) return false;
        formats::ExactInteger exact = formats::exact_integer(raw);
        if (exact.kind == formats::ExactInteger::fraction) {
          error(ErrorCode::type_mismatch, field.name + " must be an integer; got " + std::string(raw),
                field.rule);
          return true;
        }
        if (exact.kind == formats::ExactInteger::too_large) {
          double d;
          bool beyond_double = static_cast<bool>(v.get_double().get(d));  // 1e400: not even a double
          error(ErrorCode::out_of_range,
                field.name + (beyond_double ? " is too large; got " : " must fit in a 64-bit signed integer; got ") +
                    std::string(raw),
                field.rule);
          return true;
        }
        out.kind = FieldValue::integer;
        out.i = exact.value;
        out.d = static_cast<double>(exact.value);
      } else {
        std::int64_t i;
        if (v.get_int64().get(i)) {
          if (!is_json_number(raw)) return false;
          error(ErrorCode::out_of_range,
                field.name + " must fit in a 64-bit signed integer; got " + std::string(raw), field.rule);
          return true;
        }
        out.kind = FieldValue::integer;
        out.i = i;
        out.d = static_cast<double>(i);
      }
    } else {
      double d;
      auto e = v.get_double().get(d);
      if (e) {
        // simdjson refuses magnitudes beyond a double (1e400) that JSON's grammar allows.
        if (!is_json_number(raw)) return false;
        error(ErrorCode::out_of_range, field.name + " is too large; got " + std::string(raw),
              field.rule);
        return true;
      }
      out.kind = FieldValue::decimal;
      out.d = d;
      if (is_integer_token && std::fabs(d) < 9.2e18) {
        out.kind = FieldValue::integer;
        out.i = static_cast<std::int64_t>(d);
      }
    }
    auto below = [&](const Numeric& bound) {
      return out.kind == FieldValue::integer && bound.integer ? out.i < bound.i : out.d < bound.d;
    };
    auto above = [&](const Numeric& bound) {
      return out.kind == FieldValue::integer && bound.integer ? out.i > bound.i : out.d > bound.d;
    };
    if ((r.min && below(*r.min)) || (r.max && above(*r.max))) {
      std::string expected = r.min && r.max ? "between " + r.min->text + " and " + r.max->text
                             : r.min        ? "at least " + r.min->text
                                            : "at most " + r.max->text;
      error(ErrorCode::out_of_range, concat({field.name, " must be ", expected, "; got ", raw}),
            field.rule);
    }
    return true;
  }

  bool list(od::value& v, const ValueRules& r, const FieldRules& field, std::uint32_t depth) {
    if (too_deep(depth + 1)) return true;
    od::array array;
    if (v.get_array().get(array)) return false;
    std::uint64_t count = 0;
    for (auto element_result : array) {
      od::value element;
      if (std::move(element_result).get(element)) return false;
      push_index(static_cast<std::uint32_t>(count));
      if (!value(element, *r.element, field, depth + 1, nullptr)) return false;
      pop();
      ++count;
    }
    if (r.min_items && count < *r.min_items)
      error(ErrorCode::too_few_items,
            field.name + " must have at least " + std::to_string(*r.min_items) + " items; got " +
                std::to_string(count),
            field.rule);
    if (r.max_items && count > *r.max_items)
      error(ErrorCode::too_many_items,
            field.name + " must have at most " + std::to_string(*r.max_items) + " items; got " +
                std::to_string(count),
            field.rule);
    return true;
  }

  /// Reads a value no rule describes, only to be sure it is valid JSON.
  bool skip(od::value& v, std::uint32_t depth) {
    od::json_type t;
    if (v.type().get(t)) return false;
    switch (t) {
      case od::json_type::object: {
        if (too_deep(depth + 1)) return true;
        od::object obj;
        if (v.get_object().get(obj)) return false;
        for (auto member_result : obj) {
          od::field member;
          if (std::move(member_result).get(member)) return false;
          std::string_view key;
          if (member.unescaped_key().get(key)) return false;
          od::value inner = member.value();
          if (!skip(inner, depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::array: {
        if (too_deep(depth + 1)) return true;
        od::array array;
        if (v.get_array().get(array)) return false;
        for (auto element_result : array) {
          od::value element;
          if (std::move(element_result).get(element)) return false;
          if (!skip(element, depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::string: {
        std::string_view text;
        return string(v, text);
      }
      case od::json_type::number: {
        double d;
        if (!v.get_double().get(d)) return true;
        return is_json_number(trim_token(v.raw_json_token()));
      }
      case od::json_type::boolean: {
        bool b;
        return !v.get_bool().get(b);
      }
      case od::json_type::null: {
        bool is_null = false;
        return !v.is_null().get(is_null) && is_null;
      }
    }
    return false;
  }
};

void finish(Decision& d, const Request& request, EvaluationContext::State& s) {
  if (!d.errors.empty()) {
    d.verdict = Verdict::reject;
    bool only_operation = std::all_of(d.errors.begin(), d.errors.end(), [](const Issue& i) {
      return i.code == ErrorCode::operation_not_supported;
    });
    d.status = only_operation ? 405 : 400;
    d.payload.reset();
    return;
  }
  d.status = 200;
  if (d.stripped.empty()) {
    d.verdict = Verdict::accept;
    d.payload = request.payload;
    return;
  }
  d.verdict = Verdict::strip;
  auto& removals = s.removals;
  std::sort(removals.begin(), removals.end());
  s.output.clear();
  std::size_t at = 0;
  for (const auto& [begin, end] : removals) {
    if (begin > at) s.output.append(request.payload.substr(at, begin - at));
    at = std::max<std::size_t>(at, end);
  }
  s.output.append(request.payload.substr(std::min(at, request.payload.size())));
  d.payload = std::string_view(s.output);
}

}  // namespace

namespace {

Decision decide(const Program& program, const Request& request, EvaluationContext& context,
                od::object* parsed) {
  auto& s = context.state();
  Decision d;
  d.pms = request.pms;
  d.model = request.model;
  d.operation = request.operation;
  d.rules_version = program.rules_version();

  const PmsRules* pms = program.find_pms(request.pms);
  if (!pms) {
    std::vector<std::string> known;
    for (const auto& [id, p] : program.pms()) known.push_back(id);
    d.errors.push_back({"", ErrorCode::unknown_pms,
                        "unknown PMS " + quote_bytes(request.pms) + "; known: " + join(known) +
                            did_you_mean(request.pms, known),
                        ""});
    finish(d, request, s);
    return d;
  }
  const ModelRules* model = pms->find_model(request.model);
  if (!model) {
    // Named by its resource path (`service-requests`) rather than its rules name.
    if (const GenericModel* generic = program.find_model(request.model)) model = pms->find_model(generic->name);
  }
  if (!model) {
    std::vector<std::string> known;
    for (const auto& [name, m] : pms->models) known.push_back(name);
    d.errors.push_back({"", ErrorCode::unknown_model,
                        "unknown model " + quote_bytes(request.model) +
                            did_you_mean(request.model, known),
                        ""});
    finish(d, request, s);
    return d;
  }
  const OperationRules& op = model->operation(request.operation);
  if (!op.offered) {
    d.errors.push_back({"", ErrorCode::operation_not_supported,
                        pms->display_name + " does not offer " +
                            ast::operation_name(request.operation) + " on " + model->name + ": " +
                            op.reason,
                        program.rule_text(op.rule)});
  }
  if (request.payload.size() > s.limits.max_payload_bytes) {
    d.errors.push_back({"", ErrorCode::payload_too_large,
                        "the payload is " + std::to_string(request.payload.size()) +
                            " bytes; the limit is " + std::to_string(s.limits.max_payload_bytes),
                        ""});
    finish(d, request, s);
    return d;
  }

  const std::size_t errors_before_payload = d.errors.size();
  Walker walker(program, *pms, request, s, d);
  if (!(parsed ? walker.run_parsed(*parsed, *op.record) : walker.run(*op.record))) {
    // What the walk found before the syntax error is not trustworthy: report the syntax error.
    d.errors.resize(errors_before_payload);
    d.stripped.clear();
    auto problem = locate_json_error(request.payload);
    d.errors.push_back({"", ErrorCode::invalid_json,
                        problem ? "invalid JSON: " + problem->message
                                : std::string("invalid JSON"),
                        ""});
  } else {
    walker.close_lists();
  }
  finish(d, request, s);
  return d;
}

}  // namespace

Decision evaluate(const Program& program, const Request& request, EvaluationContext& context) {
  return decide(program, request, context, nullptr);
}

Decision internal::evaluate_parsed(const Program& program, const Request& request,
                                   EvaluationContext& context, od::object payload) {
  return decide(program, request, context, &payload);
}

}  // namespace gatehouse
