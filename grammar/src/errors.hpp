#pragma once
// The message for every `must<>` point of grammar.hpp.
//
// `error_control` is the PEGTL control class used for parsing: when a `must<Rule>` fails it
// throws a parse_error carrying `message<Rule>`. A `must<>` whose rule has no message here fails
// to compile (the static_assert below), so no syntax error ever reaches a rule author as a
// demangled C++ type name.
#include <tao/pegtl.hpp>

#include <cctype>
#include <string>
#include <string_view>

#include "grammar.hpp"

namespace gatehouse::peg {

template <typename Rule>
inline constexpr const char* message = nullptr;

// clang-format off
template <> inline constexpr auto message<end_of_file> = "expected a declaration: 'model', 'type', 'pms' or 'rules'";
template <> inline constexpr auto message<string_close> = "unterminated string: expected '\"' before the end of the line";
template <> inline constexpr auto message<regex_close> = "unterminated pattern: expected '/' before the end of the line";
template <> inline constexpr auto message<enum_values> = "expected a value (a word such as HOME, or a \"quoted string\")";
template <> inline constexpr auto message<enum_value> = "expected a value after ','";
template <> inline constexpr auto message<close_paren> = "expected ')'";
template <> inline constexpr auto message<open_paren> = "expected '('";
template <> inline constexpr auto message<open_brace> = "expected '{'";
template <> inline constexpr auto message<close_brace> = "expected '}' or another item of this block";
template <> inline constexpr auto message<list_open> = "expected '<' after 'list'";
template <> inline constexpr auto message<list_close> = "expected '>' to close 'list<'";
template <> inline constexpr auto message<type_expr> = "expected a type (string, integer, decimal, boolean, date, datetime, date_or_datetime, email, phone, uuid, uri, object, enum(...), list<...> or a type name)";
template <> inline constexpr auto message<value_list> = "expected '(' and a list of values";
template <> inline constexpr auto message<decl_name> = "expected a name";
template <> inline constexpr auto message<field_decl_colon> = "expected ':' and a type after the field name";
template <> inline constexpr auto message<cmp_op> = "expected a comparison operator (==, !=, <, <=, >, >=)";
template <> inline constexpr auto message<right_operand> = "expected a field name, number, \"string\", true or false after the operator";
template <> inline constexpr auto message<present_field> = "expected a field name inside present(...)";
template <> inline constexpr auto message<expr> = "expected a condition (a comparison, present(field), not, or a parenthesized condition)";
template <> inline constexpr auto message<not_expr> = "expected a condition after 'and' / 'not'";
template <> inline constexpr auto message<and_expr> = "expected a condition after 'or'";
template <> inline constexpr auto message<bounds> = "expected bounds: 'min..max', 'min..', '..max' or a single number";
template <> inline constexpr auto message<bound_max> = "expected a number after '..'";
template <> inline constexpr auto message<kw_of> = "expected 'of'";
template <> inline constexpr auto message<pms_kind> = "expected 'values' or 'type' after 'pms' (pms values (A, B): the PMS's own values of an enum field; pms type date_or_datetime: the PMS also takes a date where the generic field is a datetime)";
template <> inline constexpr auto message<kw_one> = "expected 'one' (as in 'at least one of')";
template <> inline constexpr auto message<kw_least> = "expected 'least' (as in 'at least one of')";
template <> inline constexpr auto message<regex> = "expected a pattern between slashes, such as /^[A-Z]{2}$/";
template <> inline constexpr auto message<shared_name> = "expected the name of a shared 'rules' block after 'use'";
template <> inline constexpr auto message<quoted> = "expected a \"quoted string\"";
template <> inline constexpr auto message<else_message> = "expected 'else \"message\"' after the check's condition";
template <> inline constexpr auto message<field_refs> = "expected a field name";
template <> inline constexpr auto message<field_ref> = "expected a field name after ','";
template <> inline constexpr auto message<when_clause> = "expected 'when' and a condition";
template <> inline constexpr auto message<field_ref_list> = "expected '(' and a list of field names";
template <> inline constexpr auto message<operation_name> = "expected an operation after ',': create, update, cancel, assign, batch_create, query_availability, send, upload_file, create_note, create_custom_data, update_custom_data or send_push_notification";
template <> inline constexpr auto message<unknown_operation_word> = "unknown operation: expected create, update, cancel, assign, batch_create, query_availability, send, upload_file, create_note, create_custom_data, update_custom_data, send_push_notification, or 'refresh after write'";
template <> inline constexpr auto message<operation_spec> = "expected '{' with the operation's rules, or ': unsupported \"reason\"'";
template <> inline constexpr auto message<kw_unsupported> = "expected 'unsupported' after ':'";
template <> inline constexpr auto message<kw_returned> = "expected 'returned' (as in 'created id returned' or 'created id not returned')";
template <> inline constexpr auto message<kw_after> = "expected 'after' (as in 'refresh after write')";
template <> inline constexpr auto message<kw_write> = "expected 'write' (as in 'refresh after write')";
template <> inline constexpr auto message<pms_id> = "expected the PMS identifier, such as RENTMANAGER";
template <> inline constexpr auto message<display_name> = "expected the PMS display name as a \"quoted string\"";
// clang-format on

// How deeply the recursive constructs may nest: parentheses, `not`, nested rule blocks and
// list<...>. Far deeper than any real rule, and shallow enough that no file can exhaust the
// parser's (or the compiler's) stack. The count is per thread; parses reset it when they start.
inline constexpr int max_nesting = 64;
inline thread_local int nesting = 0;

/// The recursive constructs, by the token that opens them. Alternatives are tried speculatively
/// (start is called where the construct may not even begin), so the limit applies only where
/// the opening token is really there.
template <typename Rule>
inline constexpr std::string_view opener = "";
template <> inline constexpr std::string_view opener<paren_expr> = "(";
template <> inline constexpr std::string_view opener<negation> = "not";
template <> inline constexpr std::string_view opener<rule_block> = "{";
template <> inline constexpr std::string_view opener<list_type> = "list";
template <typename Rule>
inline constexpr bool nests = !opener<Rule>.empty();

/// Whether the input continues with `token` (a keyword only as a whole word).
inline bool opens(std::string_view rest, std::string_view token) {
  if (rest.substr(0, token.size()) != token) return false;
  if (token.size() == 1 || rest.size() == token.size()) return true;
  char next = rest[token.size()];
  return !(std::isalnum(static_cast<unsigned char>(next)) || next == '_');
}

template <typename Rule>
struct error_control : tao::pegtl::normal<Rule> {
  template <typename ParseInput, typename... States>
  static void start(const ParseInput& in, States&&...) {
    if constexpr (nests<Rule>) {
      if (++nesting > max_nesting && opens(std::string_view(in.current(), in.size()), opener<Rule>))
        throw tao::pegtl::parse_error("nesting deeper than " + std::to_string(max_nesting) +
                                          " levels (parentheses, 'not', nested blocks or list<...>)",
                                      in);
    }
  }
  template <typename ParseInput, typename... States>
  static void success(const ParseInput&, States&&...) noexcept {
    if constexpr (nests<Rule>) --nesting;
  }
  template <typename ParseInput, typename... States>
  static void failure(const ParseInput&, States&&...) noexcept {
    if constexpr (nests<Rule>) --nesting;
  }

  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&...) {
    static_assert(message<Rule> != nullptr, "every must<> point needs a message in errors.hpp");
    throw tao::pegtl::parse_error(message<Rule>, in);
  }
};

}  // namespace gatehouse::peg
