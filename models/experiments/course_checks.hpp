// The course's gradient checks, run by `xgrad experiments`: the regularization notes'
// network [2, 20, 3, 1] with L2 (lambda 0.7) and dropout (keep 0.86, replayed masks) on the
// football training data, checked as a whole (check_graph: the loss against every
// parameter, the notes' N-dimensional check) and node by node (check_nodes).
#pragma once

#include <string>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/check/gradcheck.hpp>

namespace xgrad::cli {

struct CourseCheck {
  std::string name;  // "check_graph (whole model)", "check_nodes (node by node)"
  CheckReport report;
  // "<name>: gradient check PASSED: difference ... ; N entries, 0 wrong, K at kinks"
  std::string verdict() const;
};

struct CourseChecks {
  std::string subject;  // the model and the data checked
  std::vector<CourseCheck> checks;
};

// Requires `data` to have 2 features. `data_name` appears in the subject.
CourseChecks course_gradient_checks(const Dataset& data, const std::string& data_name);

}  // namespace xgrad::cli
