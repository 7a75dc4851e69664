// The template language (template.hpp): tokenize, drop the lines that hold only a section tag,
// resolve names against the vocabulary, and emit a flat list of operations whose sections know
// where they end.
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/template.hpp"
#include "alerts/template_data.hpp"

namespace motcua::alerts {

namespace {

using config::ConfigError;
using config::Position;

struct Token {
  enum class Kind : std::uint8_t { text, value, open, inverted, close, comment };
  Kind kind = Kind::text;
  std::string_view str;  // the text, or the tag's name
  Position where;        // of the "{{"
  // For text: bytes dropped at the front and the back, around standalone tags.
  std::size_t cut_front = 0;
  std::size_t cut_back = 0;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Line and column (in characters) of byte offsets, visited in increasing order.
class Cursor {
 public:
  Cursor(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  Position at(std::size_t offset) {
    for (; pos_ < offset && pos_ < text_.size(); ++pos_) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        // A UTF-8 continuation byte belongs to the character already counted.
        ++column_;
      }
    }
    return Position{file_, line_, column_};
  }

 private:
  std::string_view text_;
  std::string file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Small edit distance, for "did you mean".
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

class Compiler {
 public:
  Compiler(std::string_view source, TemplateKind kind, std::string file)
      : source_(source), kind_(kind), file_(std::move(file)) {}

  std::vector<ConfigError> errors;
  std::vector<Template::Op> ops;
  std::string pool;

  void run() {
    if (const auto bad = detail::invalid_utf8_at(source_); bad != std::string_view::npos) {
      Cursor cursor(source_, file_);
      error(cursor.at(bad), "the template is not valid UTF-8");
      return;
    }
    tokenize();
    mark_standalone();
    emit();
  }

 private:
  void error(Position where, std::string message) {
    errors.push_back(ConfigError{std::move(where), std::move(message)});
  }

  void tokenize() {
    Cursor cursor(source_, file_);
    std::size_t pos = 0;
    while (pos < source_.size()) {
      const std::size_t open = source_.find("{{", pos);
      if (open == std::string_view::npos) {
        add_text(source_.substr(pos));
        break;
      }
      add_text(source_.substr(pos, open - pos));
      const Position where = cursor.at(open);
      const bool comment = source_.substr(open + 2, 1) == "!";
      // A comment may hold tags (a line commented out): it ends at the "}}" that balances it.
      const std::size_t close = comment ? comment_end(open) : source_.find("}}", open + 2);
      if (close == std::string_view::npos) {
        error(where, "'{{' is not closed with '}}'");
        return;
      }
      pos = close + 2;
      std::string_view content = source_.substr(open + 2, close - open - 2);
      Token t;
      t.where = where;
      if (comment) {
        t.kind = Token::Kind::comment;
        tokens_.push_back(t);
        continue;
      }
      if (!content.empty() && content.front() == '{') {
        error(where,
              "'{{{' is not supported: values are always escaped for the template's kind; use "
              "'{{name}}'");
        if (pos < source_.size() && source_[pos] == '}') ++pos;
        continue;
      }
      t.kind = Token::Kind::value;
      if (!content.empty()) {
        switch (content.front()) {
          case '#':
            t.kind = Token::Kind::open;
            break;
          case '^':
            t.kind = Token::Kind::inverted;
            break;
          case '/':
            t.kind = Token::Kind::close;
            break;
          case '&':
          case '>':
          case '<':
          case '=':
          case '$':
            error(where, "'{{" + std::string(1, content.front()) +
                             "' is not supported (see the README, section Templates)");
            continue;
          default:
            break;
        }
        if (t.kind != Token::Kind::value) content.remove_prefix(1);
      }
      while (!content.empty() && (is_blank(content.front()) || content.front() == '\n'))
        content.remove_prefix(1);
      while (!content.empty() && (is_blank(content.back()) || content.back() == '\n'))
        content.remove_suffix(1);
      if (content.empty()) {
        error(where, "empty tag: a name is missing between '{{' and '}}'");
        continue;
      }
      if (!std::all_of(content.begin(), content.end(), is_name_char)) {
        error(where, "'" + std::string(content) +
                         "' is not a variable name (lower-case letters, digits and '_')");
        continue;
      }
      t.str = content;
      tokens_.push_back(t);
    }
  }

  std::size_t comment_end(std::size_t open) const {
    int depth = 1;
    for (std::size_t i = open + 2; i + 1 < source_.size(); ++i) {
      if (source_[i] == '{' && source_[i + 1] == '{') {
        ++depth;
        ++i;
      } else if (source_[i] == '}' && source_[i + 1] == '}') {
        if (--depth == 0) return i;
        ++i;
      }
    }
    return std::string_view::npos;
  }

  void add_text(std::string_view text) {
    if (text.empty()) return;
    Token t;
    t.kind = Token::Kind::text;
    t.str = text;
    tokens_.push_back(t);
  }

  // A section or comment tag alone on its line (blanks around it) takes the line with it, so that
  // templates can put their tags on lines of their own (as Mustache does).
  void mark_standalone() {
    auto tag_only = [](Token::Kind k) {
      return k == Token::Kind::open || k == Token::Kind::inverted || k == Token::Kind::close ||
             k == Token::Kind::comment;
    };
    std::vector<std::pair<std::size_t, std::size_t>> cuts;  // (token, kind) applied afterwards
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      if (!tag_only(tokens_[i].kind)) continue;
      // Before: the start of the template, or a text ending in a newline and blanks.
      std::size_t before_cut = 0;
      bool before_ok = false;
      if (i == 0) {
        before_ok = true;
      } else if (tokens_[i - 1].kind == Token::Kind::text) {
        const std::string_view s = tokens_[i - 1].str;
        const std::size_t nl = s.rfind('\n');
        const std::size_t from = nl == std::string_view::npos ? 0 : nl + 1;
        const bool blanks = std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                                        [](char c) { return is_blank(c); });
        before_ok = blanks && (nl != std::string_view::npos || i == 1);
        before_cut = s.size() - from;
      }
      if (!before_ok) continue;
      // After: the end of the template, or a text starting with blanks and a newline.
      std::size_t after_cut = 0;
      bool after_ok = false;
      if (i + 1 == tokens_.size()) {
        after_ok = true;
      } else if (tokens_[i + 1].kind == Token::Kind::text) {
        const std::string_view s = tokens_[i + 1].str;
        const std::size_t nl = s.find('\n');
        const std::size_t to = nl == std::string_view::npos ? s.size() : nl;
        const bool blanks = std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(to),
                                        [](char c) { return is_blank(c); });
        after_ok = blanks && (nl != std::string_view::npos || i + 2 == tokens_.size());
        after_cut = nl == std::string_view::npos ? s.size() : nl + 1;
      }
      if (!after_ok) continue;
      if (i > 0) tokens_[i - 1].cut_back = before_cut;
      if (i + 1 < tokens_.size()) tokens_[i + 1].cut_front = after_cut;
    }
  }

  struct Open {
    std::string_view name;
    Position where;
    std::size_t op;
    bool each;
  };

  void emit() {
    const detail::Vocabulary& v = detail::vocabulary();
    std::vector<Open> stack;
    auto in_list = [&] {
      return std::any_of(stack.begin(), stack.end(), [](const Open& o) { return o.each; });
    };
    bool text_open = false;
    for (const Token& t : tokens_) {
      if (t.kind != Token::Kind::text && t.kind != Token::Kind::comment) text_open = false;
      switch (t.kind) {
        case Token::Kind::comment:
          break;
        case Token::Kind::text: {
          const std::size_t front = std::min(t.cut_front, t.str.size());
          const std::size_t back = std::min(t.cut_back, t.str.size() - front);
          const std::string_view s = t.str.substr(front, t.str.size() - front - back);
          if (s.empty()) break;
          // Texts split only by a comment join; a section boundary in between keeps them apart.
          if (text_open) {
            ops.back().len += static_cast<std::uint32_t>(s.size());
          } else {
            ops.push_back({Template::Op::Code::text, static_cast<std::uint32_t>(pool.size()),
                           static_cast<std::uint32_t>(s.size()), 0});
          }
          pool += s;
          text_open = true;
          break;
        }
        case Token::Kind::value: {
          if (in_list()) {
            if (auto id = v.find_alert(t.str)) {
              ops.push_back({Template::Op::Code::alert_value, *id, 0, 0});
              break;
            }
          }
          if (auto id = v.find_group(t.str)) {
            ops.push_back({Template::Op::Code::group_value, *id, 0, 0});
            break;
          }
          if (v.find_list(t.str)) {
            error(t.where, "'" + std::string(t.str) + "' is a list of alerts: use '{{#" +
                               std::string(t.str) + "}}…{{/" + std::string(t.str) + "}}'");
            break;
          }
          unknown(t, in_list());
          break;
        }
        case Token::Kind::open:
        case Token::Kind::inverted: {
          const bool inverted = t.kind == Token::Kind::inverted;
          Open o{t.str, t.where, ops.size(), false};
          using Code = Template::Op::Code;
          if (auto list = v.find_list(t.str)) {
            if (in_list()) {
              error(t.where, "'{{" + std::string(inverted ? "^" : "#") + std::string(t.str) +
                                 "}}' inside another list of alerts: lists cannot be nested");
            }
            o.each = !inverted;
            ops.push_back({inverted ? Code::unless_list : Code::each, *list, 0, 0});
          } else if (auto id = in_list() ? v.find_alert(t.str) : std::nullopt) {
            ops.push_back({inverted ? Code::unless_alert : Code::if_alert, *id, 0, 0});
          } else if (auto gid = v.find_group(t.str)) {
            ops.push_back({inverted ? Code::unless_group : Code::if_group, *gid, 0, 0});
          } else {
            unknown(t, in_list());
            ops.push_back({Code::if_group, 0, 0, 0});
          }
          stack.push_back(o);
          break;
        }
        case Token::Kind::close: {
          if (stack.empty()) {
            error(t.where, "'{{/" + std::string(t.str) + "}}' closes no open section");
            break;
          }
          if (stack.back().name != t.str) {
            const Open& top = stack.back();
            error(t.where, "'{{/" + std::string(t.str) + "}}' does not close '{{#" +
                               std::string(top.name) + "}}' opened at " +
                               std::to_string(top.where.line) + ":" +
                               std::to_string(top.where.column));
            // Recover at the section it names, if any, so one slip gives one error.
            auto it = std::find_if(stack.rbegin(), stack.rend(),
                                   [&](const Open& o) { return o.name == t.str; });
            if (it == stack.rend()) break;
            while (stack.back().name != t.str) {
              ops[stack.back().op].end = static_cast<std::uint32_t>(ops.size());
              stack.pop_back();
            }
          }
          ops[stack.back().op].end = static_cast<std::uint32_t>(ops.size());
          stack.pop_back();
          break;
        }
      }
    }
    for (const Open& o : stack)
      error(o.where, "section '" + std::string(o.name) + "' is not closed: '{{/" +
                         std::string(o.name) + "}}' is missing");
    if (ops.size() > std::numeric_limits<std::uint32_t>::max() ||
        pool.size() > std::numeric_limits<std::uint32_t>::max())
      error(Position{file_, 0, 0}, "the template is too large");
  }

  void unknown(const Token& t, bool in_list) {
    const detail::Vocabulary& v = detail::vocabulary();
    const std::string name(t.str);
    if (!in_list && v.find_alert(t.str)) {
      error(t.where, "'" + name + "' is a value of each alert: use it inside '{{#alerts}}…" +
                         "{{/alerts}}' (or firing_alerts, resolved_alerts)");
      return;
    }
    std::string best;
    std::size_t best_distance = 3;  // suggest only close names
    auto consider = [&](std::string_view candidate) {
      const std::size_t d = distance(t.str, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    };
    for (auto c : v.group)
      consider(c);
    for (auto c : v.lists)
      consider(c);
    if (in_list)
      for (auto c : v.alert)
        consider(c);
    std::string message = "unknown variable '" + name + "'";
    if (!best.empty()) message += " (did you mean '" + best + "'?)";
    error(t.where, std::move(message));
  }

  std::string_view source_;
  [[maybe_unused]] TemplateKind kind_;
  std::string file_;
  std::vector<Token> tokens_;
};

// Control characters, and the Unicode line and paragraph separators some mail readers break
// lines at, become spaces: a subject is one line whatever the data holds.
void append_one_line(std::string_view value, std::string& out) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) {
      out += ' ';
    } else if (c == 0xC2 && i + 1 < value.size() &&
               static_cast<unsigned char>(value[i + 1]) == 0x85) {
      out += ' ';  // U+0085 NEL
      ++i;
    } else if (c == 0xE2 && i + 2 < value.size() &&
               static_cast<unsigned char>(value[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(value[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(value[i + 2]) == 0xA9)) {
      out += ' ';  // U+2028, U+2029
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
}

// One line, single spaces, no blanks at either end.
std::string fold_subject(std::string_view rendered) {
  std::string folded;
  folded.reserve(rendered.size());
  append_one_line(rendered, folded);
  std::string out;
  out.reserve(folded.size());
  for (char c : folded) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

}  // namespace

void append_html(std::string_view value, std::string& out) {
  while (!value.empty()) {
    const std::size_t special = value.find_first_of("&<>\"'");
    out.append(value.substr(0, special));
    if (special == std::string_view::npos) return;
    switch (value[special]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += "&#39;";
        break;
    }
    value.remove_prefix(special + 1);
  }
}

Template Template::compile(std::string_view source, TemplateKind kind, std::string file) {
  Compiler c(source, kind, file);
  c.run();
  if (!c.errors.empty()) throw config::ConfigErrors(std::move(c.errors));
  Template t;
  t.ops_ = std::move(c.ops);
  t.pool_ = std::move(c.pool);
  t.kind_ = kind;
  t.file_ = std::move(file);
  return t;
}

void Template::put(std::string_view value, std::string& out) const {
  switch (kind_) {
    case TemplateKind::html:
      append_html(value, out);
      break;
    case TemplateKind::subject:
      append_one_line(value, out);
      break;
    case TemplateKind::text:
      out += value;
      break;
  }
}

void Template::render_range(std::size_t begin, std::size_t end, const detail::TemplateData& data,
                            const std::vector<std::string>* alert, std::size_t index,
                            std::size_t count, std::string& out) const {
  static const std::string kEmpty;
  static const std::string kYes = "1";
  static const std::vector<std::uint32_t> kNoAlerts;
  const detail::Vocabulary& v = detail::vocabulary();
  std::string number;
  auto alert_value = [&](std::uint32_t id) -> const std::string& {
    if (!alert) return kEmpty;
    if (id == v.index_value) return number = std::to_string(index + 1);
    if (id == v.first_value) return index == 0 ? kYes : kEmpty;
    if (id == v.last_value) return index + 1 == count ? kYes : kEmpty;
    return id < alert->size() ? (*alert)[id] : kEmpty;
  };
  auto group_value = [&](std::uint32_t id) -> const std::string& {
    return id < data.group.size() ? data.group[id] : kEmpty;
  };
  auto list = [&](std::uint32_t id) -> const std::vector<std::uint32_t>& {
    return id < data.lists.size() ? data.lists[id] : kNoAlerts;
  };
  for (std::size_t i = begin; i < end;) {
    const Op& op = ops_[i];
    switch (op.code) {
      case Op::Code::text:
        out.append(pool_, op.arg, op.len);
        ++i;
        break;
      case Op::Code::group_value:
        put(group_value(op.arg), out);
        ++i;
        break;
      case Op::Code::alert_value:
        put(alert_value(op.arg), out);
        ++i;
        break;
      case Op::Code::if_group:
      case Op::Code::unless_group:
      case Op::Code::if_alert:
      case Op::Code::unless_alert: {
        const bool alert_scope = op.code == Op::Code::if_alert || op.code == Op::Code::unless_alert;
        const bool empty = alert_scope ? alert_value(op.arg).empty() : group_value(op.arg).empty();
        const bool show =
            (op.code == Op::Code::if_group || op.code == Op::Code::if_alert) ? !empty : empty;
        if (show) render_range(i + 1, op.end, data, alert, index, count, out);
        i = op.end;
        break;
      }
      case Op::Code::each: {
        const auto& members = list(op.arg);
        for (std::size_t k = 0; k < members.size(); ++k)
          render_range(i + 1, op.end, data, &data.alerts[members[k]], k, members.size(), out);
        i = op.end;
        break;
      }
      case Op::Code::unless_list:
        if (list(op.arg).empty()) render_range(i + 1, op.end, data, alert, index, count, out);
        i = op.end;
        break;
    }
  }
}

std::string Template::render(const detail::TemplateData& data) const {
  std::string out;
  out.reserve(pool_.size() * 2);
  render_range(0, ops_.size(), data, nullptr, 0, 0, out);
  if (kind_ == TemplateKind::subject) return fold_subject(out);
  return out;
}

}  // namespace motcua::alerts
