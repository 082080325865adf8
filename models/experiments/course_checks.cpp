#include "course_checks.hpp"

#include "course.hpp"
#include <xgrad/train/model.hpp>

namespace xgrad::cli {

std::string CourseCheck::verdict() const {
  const std::string text = report.to_string();
  return name + ": " + text.substr(0, text.find('\n'));
}

CourseChecks course_gradient_checks(const Dataset& data, const std::string& data_name) {
  Model model(models::regularization_network(0.7, 0.86));
  model.feed(data.X, data.Y);
  CourseChecks result;
  result.subject = model.spec().describe() + ", on " + data_name + " (" + std::to_string(data.examples()) +
                   " training examples)";
  result.checks.push_back({"check_graph (whole model)", check_graph(model.graph())});
  result.checks.push_back({"check_nodes (node by node)", check_nodes(model.graph())});
  return result;
}

}  // namespace xgrad::cli
