// xgrad gradcheck: the numeric gradient check of a model built from the same flags as train.
#include <iostream>

#include <xtensor/xview.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "data_source.hpp"
#include "model_flags.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad::cli {

namespace {

const char* const usage = "xgrad gradcheck [flags]";
const char* const description =
    "Builds the model the Data and Model flags describe (as xgrad train does), feeds it the training data and "
    "checks its gradients numerically: the loss against every parameter (check_graph), then every node in "
    "turn (check_nodes). Prints both reports; exit status 0 when both pass, 1 when a check fails.";

std::vector<FlagGroup> gradcheck_flags() {
  return {data_flags(),
          model_flags(),
          {"Checking",
           {
               {"--examples", "N", "Use only the first N training examples (default: all)."},
               {"--step", "H", "Central-difference step (default 1e-5; 1e-7 with --course)."},
               {"--course", "", "The notes' setting: epsilon 1e-7 and threshold 1e-7 (CheckOptions::course())."},
               {"--help", "", "Show this help."},
           }}};
}

}  // namespace

int gradcheck_command(const std::vector<std::string>& words) {
  const auto groups = gradcheck_flags();
  if (wants_help(words)) {
    std::cout << help_text(usage, description, groups);
    return 0;
  }
  const Args args(words, groups);
  CheckOptions options = args.has("--course") ? CheckOptions::course() : CheckOptions{};
  options.step = args.positive("--step", options.step);
  const LoadedData data = load_data(args);
  const std::size_t available = data.train.examples();
  const std::size_t examples = args.count("--examples", available);
  if (examples > available) {
    throw InputError("--examples: expected at most the " + std::to_string(available) + " training examples, got '" +
                     std::to_string(examples) + "'");
  }
  Model model(read_model_spec(args, data.train.features()));
  const Matrix X = xt::view(data.train.X, xt::all(), xt::range(0, examples));
  const Matrix Y = xt::view(data.train.Y, xt::all(), xt::range(0, examples));
  model.feed(X, Y);

  std::cout << "data: " << data.description << " (checking on " << examples << " of them)\nmodel: "
            << model.spec().describe() << "\n\n";
  const CheckReport whole = check_graph(model.graph(), options);
  std::cout << "== check_graph: the loss against every parameter ==\n" << whole.to_string() << '\n';
  const CheckReport nodes = check_nodes(model.graph(), options);
  std::cout << "== check_nodes: every node in turn ==\n" << nodes.to_string() << '\n';
  std::cout << "check_graph " << (whole.passed() ? "passed" : "FAILED") << ", check_nodes "
            << (nodes.passed() ? "passed" : "FAILED") << '\n';
  return whole.passed() && nodes.passed() ? 0 : 1;
}

}  // namespace xgrad::cli
