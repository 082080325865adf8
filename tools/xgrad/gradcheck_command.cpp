// xgrad gradcheck: the numeric gradient check of a model built from the same flags as train.
#include <iostream>
#include <memory>

#include <xtensor/xview.hpp>

#include "commands.hpp"
#include "data_source.hpp"
#include "flag_checks.hpp"
#include "model_flags.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/io/json_report.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad::cli {

namespace {

const char* const description =
    "Builds the model the Data and Model flags describe (as xgrad train does), feeds it the training data and "
    "checks its gradients numerically: the loss against every parameter (check_graph), then every node in "
    "turn (check_nodes). Prints both reports; exit status 0 when both pass, 1 when a check fails.";

// Everything the flags set.
struct GradcheckSettings {
  DataFlags data;
  ModelFlags model;
  std::size_t examples = 0;  // when examples_flag was given; else all
  double step = 0.0;         // when step_flag was given; else the options' default
  bool course = false;
  std::string json;  // empty: no report
  CLI::Option* examples_flag = nullptr;
  CLI::Option* step_flag = nullptr;

  void declare(CLI::App& command) {
    data.declare(command);
    model.declare(command);
    const std::string checking = "Checking";
    examples_flag = command.add_option("--examples", examples, "Use only the first N training examples (default: all).")
                        ->type_name("N")->check(whole_number(1))->group(checking);
    const CheckOptions defaults;
    step_flag = command
                    .add_option("--step", step,
                                "Finite-difference step, below 1 (default " + format_double(defaults.step) +
                                    (defaults.relative_step ? ", relative: h = step * max(1, |x|)" : "") +
                                    (defaults.stencil == Stencil::central6 ? ", 6th-order central stencil" : "") +
                                    "; 1e-7 absolute with --course).")
                    ->type_name("H")
                    ->check(number_between(0.0, 1.0))
                    ->group(checking);
    command.add_flag("--course", course, "The notes' setting: epsilon 1e-7 and threshold 1e-7 (CheckOptions::course()).")
        ->disable_flag_override()->group(checking);
    command.add_option("--json", json, "Write the settings (model, data, the xgrad version and the BLAS kernel and "
                                       "threads) and both checks (verdict, mode, difference, every block) as JSON.")
        ->type_name("FILE")->check(checked_by([](const std::string& f) { check_output_file(f); }))->group(checking);
    command.get_help_ptr()->group(checking);
  }
};

int run_gradcheck(const GradcheckSettings& settings) {
  CheckOptions options = settings.course ? CheckOptions::course() : CheckOptions{};
  if (settings.step_flag->count() > 0) options.step = settings.step;
  const LoadedData data = settings.data.load(settings.model.label_rule());
  const std::size_t available = data.train.examples();
  const std::size_t examples = settings.examples_flag->count() > 0 ? settings.examples : available;
  if (examples > available) {
    throw InputError("--examples: expected at most the " + std::to_string(available) + " training examples, got '" +
                     std::to_string(examples) + "'");
  }
  Model model(settings.model.spec(data.train.features()));
  const Matrix X = xt::view(data.train.X, xt::all(), xt::range(0, examples));
  const Matrix Y = xt::view(data.train.Y, xt::all(), xt::range(0, examples));
  model.feed(X, Y);

  std::cout << "data: " << data.description << " (checking on " << examples << " of them)\nmodel: "
            << model.spec().describe() << "\n\n";
  options.progress = timed_progress(std::cerr, "check_graph");
  const CheckReport whole = check_graph(model.graph(), options);
  options.progress = timed_progress(std::cerr, "check_nodes (node by node)");
  std::cout << "== check_graph: the loss against every parameter ==\n" << whole.to_string() << '\n';
  const CheckReport nodes = check_nodes(model.graph(), options);
  std::cout << "== check_nodes: every node in turn ==\n" << nodes.to_string() << '\n';
  std::cout << "check_graph " << (whole.passed() ? "passed" : "FAILED") << ", check_nodes "
            << (nodes.passed() ? "passed" : "FAILED") << '\n';
  if (!settings.json.empty()) {
    JsonReport report;
    report.set_setting("data", data.description);
    report.set_setting("examples", static_cast<double>(examples));
    report.set_model(model.spec());
    report.add_check("check_graph", whole);
    report.add_check("check_nodes", nodes);
    report.write(settings.json);
    std::cout << "wrote " << settings.json << '\n';
  }
  return whole.passed() && nodes.passed() ? 0 : 1;
}

}  // namespace

CommandRun add_gradcheck_command(CLI::App& program) {
  auto settings = std::make_shared<GradcheckSettings>();
  settings->declare(*program.add_subcommand("gradcheck", description));
  return [settings] { return run_gradcheck(*settings); };
}

}  // namespace xgrad::cli
