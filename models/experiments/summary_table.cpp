#include "summary_table.hpp"

#include <algorithm>
#include <cstdio>

namespace xgrad::cli {

namespace {

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string left(std::string text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string right(std::string text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

void print_summary(std::ostream& out, const std::vector<SummaryRow>& rows) {
  std::size_t key_width = 10;
  for (const SummaryRow& r : rows) key_width = std::max(key_width, r.key.size() + 2);
  out << left("experiment", key_width) << "  train acc   test acc  final cost  seconds  title\n";
  bool beyond = false;
  for (const SummaryRow& r : rows) {
    beyond = beyond || !r.in_notes;
    out << left(r.key + (r.in_notes ? "" : " *"), key_width) << "  ";
    if (!r.outcome) {
      out << "FAILED: " << r.failure << '\n';
      continue;
    }
    const RunOutcome& o = *r.outcome;
    out << right(o.train_accuracy ? fixed(*o.train_accuracy, 4) : "-", 9) << "  "
        << right(o.test_accuracy ? fixed(*o.test_accuracy, 4) : "-", 9) << "  "
        << right(fixed(o.result.final_cost, 6), 10) << "  " << right(fixed(o.seconds, 2), 7) << "  " << r.title
        << '\n';
  }
  if (beyond) out << "* beyond the notes\n";
}

}  // namespace xgrad::cli
