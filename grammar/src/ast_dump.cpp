// dump_ast: one node per line, two spaces of indent per level, positions as line:col.
#include <sstream>

#include "gatehouse/grammar/parser.hpp"

namespace gatehouse {

namespace {

std::string pos(const SourceRef& r) {
  return "@" + std::to_string(r.line) + ":" + std::to_string(r.column);
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class Dumper {
 public:
  std::string str() const { return out_.str(); }

  void file(const ast::File& f) {
    for (const auto& d : f.declarations) std::visit([&](const auto& x) { decl(x); }, d);
  }

 private:
  std::ostringstream out_;
  int depth_ = 0;

  std::ostream& line() {
    for (int i = 0; i < depth_; ++i) out_ << "  ";
    return out_;
  }

  struct Indent {
    explicit Indent(int& d) : d_(d) { ++d_; }
    ~Indent() { --d_; }
    int& d_;
  };

  static std::string type(const ast::TypeExpr& t) {
    std::string s;
    switch (t.kind) {
      case ast::TypeExpr::Kind::named: s = t.name; break;
      case ast::TypeExpr::Kind::list: s = "list<" + type(t.element.at(0)) + ">"; break;
      case ast::TypeExpr::Kind::enumeration:
        s = "enum(";
        for (std::size_t i = 0; i < t.enum_values.size(); ++i)
          s += (i ? ", " : "") + t.enum_values[i].text;
        s += ")";
        break;
    }
    return t.nullable ? s + "?" : s;
  }

  void decl(const ast::RecordDecl& r) {
    auto& head = line() << (r.kind == ast::RecordDecl::Kind::model ? "model " : "type ") << r.name.text << ' ';
    if (r.resource) head << quote(r.resource->text) << ' ';
    head << pos(r.name.at) << '\n';
    Indent in(depth_);
    for (const auto& f : r.fields)
      line() << "field " << f.name.text << ": " << type(f.type) << (f.deprecated ? " deprecated" : "") << ' '
             << pos(f.name.at) << '\n';
    for (const auto& o : r.operations) operation(o);
  }

  void operation(const ast::OperationDecl& o) {
    auto& l = line();
    for (std::size_t i = 0; i < o.operations.size(); ++i)
      l << (i ? ", " : "") << ast::operation_name(o.operations[i].first);
    if (o.unsupported) {
      l << " unsupported " << quote(o.reason) << ' ' << pos(o.at) << '\n';
    } else {
      l << ' ' << pos(o.at) << '\n';
      Indent in(depth_);
      if (o.created_id_returned)
        line() << (*o.created_id_returned ? "created id returned " : "created id not returned ") << pos(o.created_id_at)
               << '\n';
      if (o.refresh_after_write) line() << "refresh after write " << pos(*o.refresh_after_write) << '\n';
      items(o.body);
    }
  }

  void decl(const ast::PmsDecl& p) {
    line() << "pms " << p.id.text << ' ' << quote(p.display_name) << ' ' << pos(p.id.at) << '\n';
    Indent in(depth_);
    for (const auto& m : p.models) {
      line() << "model " << m.model.text << ' ' << pos(m.model.at) << '\n';
      Indent in2(depth_);
      for (const auto& r : m.refresh_after_write) line() << "refresh after write " << pos(r) << '\n';
      for (const auto& o : m.operations) operation(o);
    }
  }

  void decl(const ast::SharedRulesDecl& s) {
    line() << "rules " << s.name.text << ' ' << pos(s.name.at) << '\n';
    Indent in(depth_);
    items(s.body);
  }

  void items(const std::vector<ast::RuleItem>& list) {
    for (const auto& item : list) std::visit([&](const auto& x) { rule(x); }, item.node);
  }

  static std::string names(const std::vector<ast::Identifier>& ids) {
    std::string s;
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + ids[i].text;
    return s;
  }

  void rule(const ast::FieldRule& f) {
    line() << (f.extra_type ? "extra field " : "field ") << f.name.text
           << (f.extra_type ? ": " + type(*f.extra_type) : std::string()) << (f.extra_deprecated ? " deprecated" : "")
           << ' ' << pos(f.name.at) << '\n';
    Indent in(depth_);
    for (const auto& c : f.constraints) constraint(c);
    if (f.has_block) {
      line() << "block\n";
      Indent in2(depth_);
      items(f.block);
    }
  }

  void rule(const ast::CheckRule& c) {
    line() << "check " << expr(c.condition) << " else " << quote(c.message) << ' ' << pos(c.at)
           << '\n';
  }

  void rule(const ast::RequireRule& r) {
    line() << "require " << names(r.fields) << " when " << expr(r.condition)
           << (r.message ? " else " + quote(*r.message) : "") << ' ' << pos(r.at) << '\n';
  }

  void rule(const ast::AtLeastOneRule& r) {
    line() << "at least one of (" << names(r.fields) << ")"
           << (r.message ? " else " + quote(*r.message) : "") << ' ' << pos(r.at) << '\n';
  }

  void rule(const ast::UseRule& u) { line() << "use " << u.name.text << ' ' << pos(u.name.at) << '\n'; }

  void rule(const ast::WithoutRule& w) { line() << "without " << names(w.fields) << ' ' << pos(w.at) << '\n'; }

  static std::string bounds(const ast::Bounds& b) {
    return (b.min ? b.min->text : "") + ".." + (b.max ? b.max->text : "");
  }

  void constraint(const ast::Constraint& c) {
    using K = ast::Constraint::Kind;
    auto& l = line();
    switch (c.kind) {
      case K::required: l << "required" << (c.when ? " when " + expr(*c.when) : ""); break;
      case K::length: l << "length " << bounds(c.bounds); break;
      case K::range: l << "range " << bounds(c.bounds); break;
      case K::items: l << "items " << bounds(c.bounds); break;
      case K::one_of: l << (c.pms_values ? "pms values (" : "one of (") << names(c.values) << ")"; break;
      case K::pattern: l << "pattern /" << c.pattern << "/"; break;
      case K::pms_type: l << "pms type " << type(*c.pms_type); break;
    }
    l << ' ' << pos(c.at) << '\n';
  }

  static std::string operand(const ast::Operand& o) {
    return o.kind == ast::Operand::Kind::string ? quote(o.text) : o.text;
  }

  static std::string expr(const ast::Expr& e) {
    using K = ast::Expr::Kind;
    switch (e.kind) {
      case K::logical_and:
      case K::logical_or: {
        std::string s = "(";
        for (std::size_t i = 0; i < e.children.size(); ++i)
          s += (i ? (e.kind == K::logical_and ? " and " : " or ") : "") + expr(e.children[i]);
        return s + ")";
      }
      case K::logical_not: return "not " + expr(e.children.at(0));
      case K::present: return "present(" + e.lhs.text + ")";
      case K::compare: {
        static const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
        return "(" + operand(e.lhs) + " " + ops[static_cast<int>(e.op)] + " " + operand(e.rhs) + ")";
      }
    }
    return {};
  }
};

}  // namespace

std::string dump_ast(const ast::File& file) {
  Dumper d;
  d.file(file);
  return d.str();
}

}  // namespace gatehouse
