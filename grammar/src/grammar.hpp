#pragma once
// The .rules grammar: PEGTL rule structs only, reading like EBNF.
//
// Actions (parse tree -> AST) live in actions.hpp; the message for every `must<>` point lives in
// errors.hpp, and a `must<>` without a message does not compile (see errors.hpp).
//
//   file        = ws { declaration ws } eof
//   declaration = model_decl | type_decl | pms_decl | rules_decl
//   model_decl  = "model" ident [ string ] "{" { model_op | field_decl } "}"
//   model_op    = op { "," op } "{" { rule_item } "}"   (a generic route and its body's fields)
//   type_decl   = "type" ident "{" { field_decl } "}"
//   field_decl  = ident ":" type_expr [ "deprecated" ]
//   type_expr   = ( "list" "<" type_expr ">" | "enum" "(" value { "," value } ")" | ident ) [ "?" ]
//   pms_decl    = "pms" ident string "{" { pms_model } "}"
//   pms_model   = ident "{" { operation_decl | refresh_decl } "}"
//   refresh_decl = "refresh" "after" "write"   (fetch the record from the PMS after a write)
//   operation_decl = op { "," op } ( ":" "unsupported" string
//                    | "{" [ created_id ] [ refresh_decl ] { rule_item } "}" )
//   created_id  = "created" "id" [ "not" ] "returned"
//   op          = "create" | "update" | "cancel" | "assign" | "batch_create" | "query_availability"
//               | "send" | "upload_file" | "create_note" | "create_custom_data" | "update_custom_data"
//               | "send_push_notification"
//   rules_decl  = "rules" ident "{" { rule_item } "}"
//   rule_item   = use_rule | check_rule | require_rule | at_least_rule | without_rule | field_rule
//   without_rule = "without" ident { "," ident }   (route-required fields this PMS's route lacks)
//   field_rule  = [ "extra" ident ":" type_expr ] ident { constraint } [ "{" { rule_item } "}" ]
//                 (constraints on the field's line; `extra` declares a field the generic route lacks)
//   constraint  = "required" [ "when" expr ] | "length" bounds | "range" bounds | "items" bounds
//               | "one" "of" "(" value { "," value } ")" | "pattern" regex
//   expr        = and_expr { "or" and_expr }
//   and_expr    = not_expr { "and" not_expr }
//   not_expr    = "not" not_expr | "(" expr ")" | "present" "(" ident ")" | operand cmp operand
#include <tao/pegtl.hpp>

namespace gatehouse::peg {

namespace pegtl = tao::pegtl;
using namespace tao::pegtl;

// ---- lexical ---------------------------------------------------------------------------------
struct comment : seq<one<'#'>, until<eolf>> {};
struct blank : sor<space, comment> {};
struct blank_char : one<' ', '\t'> {};
struct ws : star<blank> {};
// Horizontal space: a field's constraints start on the field's own line, so a field named like a
// constraint keyword (`items`, `range`) on the next line starts a new rule.
struct hws : star<blank_char> {};

template <typename Key>
struct keyword : seq<Key, not_at<identifier_other>> {};

struct kw_model : keyword<TAO_PEGTL_STRING("model")> {};
struct kw_type : keyword<TAO_PEGTL_STRING("type")> {};
struct kw_pms : keyword<TAO_PEGTL_STRING("pms")> {};
struct kw_rules : keyword<TAO_PEGTL_STRING("rules")> {};
struct kw_list : keyword<TAO_PEGTL_STRING("list")> {};
struct kw_enum : keyword<TAO_PEGTL_STRING("enum")> {};
struct kw_create : keyword<TAO_PEGTL_STRING("create")> {};
struct kw_update : keyword<TAO_PEGTL_STRING("update")> {};
struct kw_cancel : keyword<TAO_PEGTL_STRING("cancel")> {};
struct kw_assign : keyword<TAO_PEGTL_STRING("assign")> {};
struct kw_batch_create : keyword<TAO_PEGTL_STRING("batch_create")> {};
struct kw_query_availability : keyword<TAO_PEGTL_STRING("query_availability")> {};
struct kw_send : keyword<TAO_PEGTL_STRING("send")> {};
struct kw_upload_file : keyword<TAO_PEGTL_STRING("upload_file")> {};
struct kw_create_note : keyword<TAO_PEGTL_STRING("create_note")> {};
struct kw_create_custom_data : keyword<TAO_PEGTL_STRING("create_custom_data")> {};
struct kw_update_custom_data : keyword<TAO_PEGTL_STRING("update_custom_data")> {};
struct kw_send_push_notification : keyword<TAO_PEGTL_STRING("send_push_notification")> {};
struct kw_deprecated : keyword<TAO_PEGTL_STRING("deprecated")> {};
struct kw_created : keyword<TAO_PEGTL_STRING("created")> {};
struct kw_extra : keyword<TAO_PEGTL_STRING("extra")> {};
struct kw_id : keyword<TAO_PEGTL_STRING("id")> {};
struct kw_returned : keyword<TAO_PEGTL_STRING("returned")> {};
struct kw_unsupported : keyword<TAO_PEGTL_STRING("unsupported")> {};
struct kw_use : keyword<TAO_PEGTL_STRING("use")> {};
struct kw_check : keyword<TAO_PEGTL_STRING("check")> {};
struct kw_else : keyword<TAO_PEGTL_STRING("else")> {};
struct kw_require : keyword<TAO_PEGTL_STRING("require")> {};
struct kw_required : keyword<TAO_PEGTL_STRING("required")> {};
struct kw_when : keyword<TAO_PEGTL_STRING("when")> {};
struct kw_at : keyword<TAO_PEGTL_STRING("at")> {};
struct kw_least : keyword<TAO_PEGTL_STRING("least")> {};
struct kw_without : keyword<TAO_PEGTL_STRING("without")> {};
struct kw_one : keyword<TAO_PEGTL_STRING("one")> {};
struct kw_of : keyword<TAO_PEGTL_STRING("of")> {};
struct kw_values : keyword<TAO_PEGTL_STRING("values")> {};
struct kw_length : keyword<TAO_PEGTL_STRING("length")> {};
struct kw_range : keyword<TAO_PEGTL_STRING("range")> {};
struct kw_items : keyword<TAO_PEGTL_STRING("items")> {};
struct kw_pattern : keyword<TAO_PEGTL_STRING("pattern")> {};
struct kw_and : keyword<TAO_PEGTL_STRING("and")> {};
struct kw_or : keyword<TAO_PEGTL_STRING("or")> {};
struct kw_not : keyword<TAO_PEGTL_STRING("not")> {};
struct kw_present : keyword<TAO_PEGTL_STRING("present")> {};
struct kw_true : keyword<TAO_PEGTL_STRING("true")> {};
struct kw_false : keyword<TAO_PEGTL_STRING("false")> {};
struct kw_refresh : keyword<TAO_PEGTL_STRING("refresh")> {};
struct kw_after : keyword<TAO_PEGTL_STRING("after")> {};
struct kw_write : keyword<TAO_PEGTL_STRING("write")> {};

struct ident : identifier {};
// Identifiers by role, so the AST builder knows what each one names and each `must<>` point
// has its own message.
struct decl_name : ident {};
struct pms_id : ident {};
struct shared_name : ident {};
struct model_ref : ident {};
struct lbrace : one<'{'> {};
struct rbrace : one<'}'> {};
struct lparen : one<'('> {};
struct rparen : one<')'> {};
struct colon : one<':'> {};
struct comma : one<','> {};
struct dots : two<'.'> {};

// "text" with \" \\ \n \t escapes; no raw line breaks.
struct string_escape : seq<one<'\\'>, one<'"', '\\', 'n', 't', '/'>> {};
struct string_char : sor<string_escape, not_one<'"', '\\', '\n', '\r'>> {};
struct string_body : star<string_char> {};
struct string_close : one<'"'> {};
struct quoted : seq<one<'"'>, string_body, must<string_close>> {};

// /regex/ with \/ for a slash inside.
struct regex_char : sor<seq<one<'\\'>, not_one<'\n', '\r'>>, not_one<'/', '\n', '\r'>> {};
struct regex_body : star<regex_char> {};
struct regex_close : one<'/'> {};
struct regex : seq<one<'/'>, regex_body, must<regex_close>> {};

struct number : seq<opt<one<'-'>>, plus<digit>, opt<one<'.'>, plus<digit>>> {};

// Enum members and `one of` values: bare words (HOME, 1BR, en-US) or quoted strings.
struct bare_value : plus<sor<alnum, one<'_', '-', '.'>>> {};
struct enum_value : sor<quoted, bare_value> {};
template <typename Item>
struct comma_list : seq<Item, star<ws, comma, ws, must<Item>>> {};
struct enum_values : comma_list<enum_value> {};
struct close_paren : one<')'> {};
struct open_paren : one<'('> {};
struct value_list : seq<lparen, ws, must<enum_values>, ws, must<close_paren>> {};

// ---- types -----------------------------------------------------------------------------------
struct type_expr;
struct list_open : one<'<'> {};
struct list_close : one<'>'> {};
struct list_type : seq<kw_list, ws, must<list_open>, ws, must<type_expr>, ws, must<list_close>> {};
struct enum_type : seq<kw_enum, ws, must<value_list>> {};
struct named_type : ident {};
struct nullable_mark : one<'?'> {};
struct type_expr : seq<sor<list_type, enum_type, named_type>, opt<nullable_mark>> {};

struct field_name_decl : ident {};
struct field_decl_colon : one<':'> {};
struct deprecated_mark : kw_deprecated {};
struct field_decl : seq<field_name_decl, ws, must<field_decl_colon>, ws, must<type_expr>,
                        opt<hws, deprecated_mark>> {};
struct open_brace : one<'{'> {};
struct close_brace : one<'}'> {};
struct record_body : seq<must<open_brace>, ws, star<field_decl, ws>, must<close_brace>> {};
struct model_operation;
struct model_body : seq<must<open_brace>, ws, star<sor<model_operation, field_decl>, ws>, must<close_brace>> {};
// The resource path of the model's routes, when it is not the model's name with '-' for '_'.
struct resource_path : quoted {};
struct model_decl : seq<kw_model, ws, must<decl_name>, ws, opt<resource_path, ws>, model_body> {};
struct type_decl : seq<kw_type, ws, must<decl_name>, ws, record_body> {};

// ---- expressions -----------------------------------------------------------------------------
struct expr;
// Words that continue an expression can never name a field inside one.
struct expression_word : sor<kw_else, kw_and, kw_or, kw_not, kw_when, kw_true, kw_false> {};
struct field_ref : seq<not_at<expression_word>, ident> {};
struct bool_literal : sor<kw_true, kw_false> {};
struct operand : sor<number, quoted, bool_literal, field_ref> {};
struct cmp_op : sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>,
                    one<'<'>, one<'>'>> {};
struct right_operand : operand {};
struct comparison : seq<operand, ws, must<cmp_op>, ws, must<right_operand>> {};
struct present_field : field_ref {};
struct present_expr : seq<kw_present, ws, must<open_paren>, ws, must<present_field>, ws, must<close_paren>> {};
struct paren_expr : seq<lparen, ws, must<expr>, ws, must<close_paren>> {};
struct not_expr;
struct negation : seq<kw_not, ws, must<not_expr>> {};
struct not_expr : sor<negation, paren_expr, present_expr, comparison> {};
struct and_expr : seq<not_expr, star<ws, kw_and, ws, must<not_expr>>> {};
struct expr : seq<and_expr, star<ws, kw_or, ws, must<and_expr>>> {};

// ---- rules -----------------------------------------------------------------------------------
struct bound_max : number {};
struct bounds : sor<seq<number, ws, dots, opt<ws, bound_max>>, seq<dots, ws, must<bound_max>>, number> {};
struct when_clause : seq<kw_when, ws, must<expr>> {};
struct required_c : seq<kw_required, opt<ws, when_clause>> {};
struct length_c : seq<kw_length, ws, must<bounds>> {};
struct range_c : seq<kw_range, ws, must<bounds>> {};
struct items_c : seq<kw_items, ws, must<bounds>> {};
struct one_of_c : seq<kw_one, ws, must<kw_of>, ws, must<value_list>> {};
// What the PMS's own route takes where the generic route says otherwise: its own values of an
// enum (`pms values (A, B)`), or a wider type (`pms type date_or_datetime`).
// `pms` followed by neither word is reported by pms_kind.
struct pms_values_c : seq<kw_pms, ws, kw_values, ws, must<value_list>> {};
struct pms_type_c : seq<kw_pms, ws, kw_type, ws, must<type_expr>> {};
struct pms_kind : sor<kw_values, kw_type> {};
struct pms_c : sor<pms_values_c, pms_type_c, seq<kw_pms, ws, must<pms_kind>>> {};
struct pattern_c : seq<kw_pattern, ws, must<regex>> {};
struct constraint : sor<required_c, length_c, range_c, items_c, one_of_c, pms_c, pattern_c> {};

struct rule_item;
struct rule_block : seq<lbrace, ws, star<rule_item, ws>, must<close_brace>> {};
struct field_name : ident {};
struct field_rule : seq<field_name, star<hws, constraint>, opt<hws, rule_block>> {};
// `extra name: type constraints`: a field of the PMS's own route that the generic route lacks.
struct extra_colon : one<':'> {};
struct extra_field_rule : seq<kw_extra, hws, field_name, hws, extra_colon, hws, must<type_expr>,
                              opt<hws, deprecated_mark>, star<hws, constraint>, opt<hws, rule_block>> {};

struct else_message : seq<kw_else, ws, must<quoted>> {};
struct use_rule : seq<kw_use, ws, must<shared_name>> {};
struct check_rule : seq<kw_check, ws, must<expr>, ws, must<else_message>> {};
struct field_refs : comma_list<field_ref> {};
struct require_rule : seq<kw_require, ws, must<field_refs>, ws, must<when_clause>,
                          opt<ws, else_message>> {};
struct field_ref_list : seq<open_paren, ws, must<field_refs>, ws, must<close_paren>> {};
struct at_least_rule : seq<kw_at, ws, must<kw_least>, ws, must<kw_one>, ws, must<kw_of>, ws,
                           must<field_ref_list>, opt<ws, else_message>> {};
struct without_rule : seq<kw_without, ws, must<field_refs>> {};
struct rule_item : sor<use_rule, check_rule, require_rule, at_least_rule, without_rule, extra_field_rule, field_rule> {};

// ---- operations and PMS blocks ---------------------------------------------------------------
struct operation_name : sor<kw_create, kw_update, kw_cancel, kw_assign, kw_batch_create,
                             kw_query_availability, kw_send, kw_upload_file, kw_create_note,
                             kw_create_custom_data, kw_update_custom_data, kw_send_push_notification> {};
// Any other word where an operation belongs: a message naming every operation, not "expected '}'".
struct unknown_operation_word : failure {};
struct unknown_operation : seq<at<ident>, must<unknown_operation_word>> {};
struct unsupported_op : seq<colon, ws, must<kw_unsupported>, ws, must<quoted>> {};
// `created id returned` / `created id not returned`, first in a PMS operation's body: whether the
// PMS gives back the id of the record a write creates (else the next sync finds it).
struct created_id_not : kw_not {};
struct created_id_clause : seq<kw_created, ws, kw_id, ws, opt<created_id_not, ws>, must<kw_returned>> {};
// `refresh after write`: in a PMS model block, for all its operations; after `created id ...` at
// the top of an operation's body, for that operation.
struct refresh_decl : seq<kw_refresh, ws, must<kw_after>, ws, must<kw_write>> {};
struct operation_body : seq<lbrace, ws, opt<created_id_clause, ws>, opt<refresh_decl, ws>, star<rule_item, ws>,
                            must<close_brace>> {};
struct operation_spec : sor<unsupported_op, operation_body> {};
struct operation_decl : seq<comma_list<operation_name>, ws, must<operation_spec>> {};
struct operation_list : seq<must<open_brace>, ws, star<sor<refresh_decl, operation_decl, unknown_operation>, ws>,
                            must<close_brace>> {};
// In a model: a generic route, whose body lists the fields its request takes (`create { ... }`).
struct model_operation : seq<comma_list<operation_name>, ws, operation_body> {};
struct pms_model : seq<model_ref, ws, operation_list> {};
struct pms_body : seq<must<open_brace>, ws, star<pms_model, ws>, must<close_brace>> {};
struct display_name : quoted {};
struct pms_decl : seq<kw_pms, ws, must<pms_id>, ws, must<display_name>, ws, pms_body> {};

struct rules_decl : seq<kw_rules, ws, must<decl_name>, ws, must<open_brace>, ws, star<rule_item, ws>,
                        must<close_brace>> {};

struct declaration : sor<model_decl, type_decl, pms_decl, rules_decl> {};
struct end_of_file : eof {};
struct file : seq<ws, star<declaration, ws>, must<end_of_file>> {};

}  // namespace gatehouse::peg
