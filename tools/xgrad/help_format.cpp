#include "help_format.hpp"

#include <algorithm>
#include <sstream>
#include <vector>
#include <string_view>

namespace xgrad::cli {

namespace {

constexpr std::size_t help_width = 80;
constexpr std::size_t help_indent = 24;

// `text` word-wrapped from `column`, every line after the first indented by `indent`.
std::string wrapped(std::string_view text, std::size_t column, std::size_t indent) {
  std::ostringstream out;
  std::istringstream words{std::string(text)};
  std::string word;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > help_width) {
      out << '\n' << std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    first = false;
  }
  out << '\n';
  return out.str();
}

// "  HEAD" padded to the help column, then `help` wrapped.
std::string entry(const std::string& head, const std::string& help) {
  std::string line = "  " + head;
  if (line.size() + 2 > help_indent) return line + '\n' + std::string(help_indent, ' ') + wrapped(help, help_indent, help_indent);
  return line + std::string(help_indent - line.size(), ' ') + wrapped(help, help_indent, help_indent);
}

}  // namespace

std::string HelpFormatter::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const {
  std::ostringstream out;
  const bool has_commands = !app->get_subcommands({}).empty();
  out << "usage: " << name << (has_commands ? " COMMAND" : "") << " [flags]\n\n";
  // A description with line breaks is laid out by hand (the overview's list of commands).
  const std::string& description = app->get_description();
  out << (description.find('\n') != std::string::npos ? description : wrapped(description, 0, 0));
  out << flag_groups(app);
  const std::string footer = app->get_footer();
  if (!footer.empty()) out << '\n' << footer << '\n';
  return out.str();
}

std::string HelpFormatter::flag_groups(const CLI::App* app) const {
  // The help flag is declared first but listed last, at the end of its group.
  const CLI::Option* help = app->get_help_ptr();
  std::vector<std::string> groups;
  for (const CLI::Option* option : app->get_options()) {
    const std::string& group = option->get_group();
    if (option != help && !group.empty() && std::find(groups.begin(), groups.end(), group) == groups.end()) {
      groups.push_back(group);
    }
  }
  if (help != nullptr && std::find(groups.begin(), groups.end(), help->get_group()) == groups.end()) {
    groups.push_back(help->get_group());
  }
  std::string out;
  for (const std::string& group : groups) {
    std::vector<const CLI::Option*> flags = app->get_options([&](const CLI::Option* option) {
      return option != help && option->get_group() == group && option->nonpositional();
    });
    if (help != nullptr && help->get_group() == group) flags.push_back(help);
    out += make_group(group, false, flags);
  }
  return out;
}

std::string HelpFormatter::make_option(const CLI::Option* option, bool) const {
  std::string head = option->get_name();
  if (option->get_expected_max() > 0 && !option->get_type_name().empty()) head += " " + option->get_type_name();
  return entry(head, option->get_description());
}

std::shared_ptr<HelpFormatter> help_formatter() { return std::make_shared<HelpFormatter>(); }

}  // namespace xgrad::cli
