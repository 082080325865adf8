// xgrad experiments: the course's experiments (models::course_experiments()), a summary
// table, the course's gradient checks, and the notes' plots.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include <memory>

#include "commands.hpp"
#include "course.hpp"
#include "course_checks.hpp"
#include "course_data.hpp"
#include "flag_checks.hpp"
#include "gnuplot.hpp"
#include "output_file.hpp"
#include "plots.hpp"
#include "progress.hpp"
#include "summary_table.hpp"
#include "training_run.hpp"
#include <nlohmann/json.hpp>
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;
using models::CourseData;
using models::CourseExperiment;

namespace {

const char* const description =
    "Runs the course's experiments: zeros, large random and He initialization on the circles; no "
    "regularization, L2 (lambda 0.7) and dropout (keep 0.86) on the football data; then two runs beyond the "
    "notes (L2 with dropout, dropout with fresh masks). Prints a summary table and the course's gradient checks, "
    "and writes per experiment a cost curve and a decision-boundary plot (PNG through gnuplot, with the data "
    "files and scripts). Exit status 1 when a run or a check fails.";

constexpr std::size_t quick_divisor = 10;

// Everything the flags set.
struct ExperimentsSettings {
  std::optional<std::string> data;  // the football data; absent: the default path or a stand-in
  std::string out = "out";
  std::optional<std::string> only;  // absent: all
  std::string json;  // empty: no report
  bool verbose = false;
  bool quick = false;

  void declare(CLI::App& command) {
    const std::string group = "Flags";
    command.add_option_function<std::string>(
               "--data", [this](const std::string& file) { data = file; },
               std::string("The football data (.mat with X, y, Xval, yval; default ") + default_football_path +
                   ", relative to the current folder; without it, generated stand-in data).")
        ->type_name("FILE")->check(file_name())->group(group);
    command.add_option("--out", out, "Where the plots go (default out/).")
        ->type_name("DIR")->check(checked_by([](const std::string& f) { check_output_folder(f); }))->group(group);
    command.add_option_function<std::string>(
               "--only", [this](const std::string& keys) { only = keys; },
               "Run only these experiments, comma-separated (e.g. init_he,reg_l2).")
        ->type_name("KEYS")->group(group);
    command.add_option("--json", json, "Write every run's settings (with the xgrad version and the BLAS kernel and "
                                       "threads), costs, accuracies and predictions, and the checks' verdicts, as JSON.")
        ->type_name("FILE")->check(checked_by([](const std::string& f) { check_output_file(f); }))->group(group);
    command.add_flag("--verbose", verbose, "Print the notes' cost lines for every experiment.")
        ->disable_flag_override()->group(group);
    command.add_flag("--quick", quick, "A tenth of the iterations (for tests; the figures are not the notes').")
        ->disable_flag_override()->group(group);
    command.get_help_ptr()->group(group);
  }
};

std::vector<CourseExperiment> selected_experiments(const std::optional<std::string>& only) {
  std::vector<CourseExperiment> all = models::course_experiments();
  if (!only) return all;
  std::vector<CourseExperiment> chosen;
  std::istringstream keys(*only);
  for (std::string key; std::getline(keys, key, ',');) {
    const auto found = std::find_if(all.begin(), all.end(), [&](const CourseExperiment& e) { return e.key == key; });
    if (found == all.end()) {
      std::string listed;
      for (const CourseExperiment& e : all) listed += (listed.empty() ? "" : ", ") + e.key;
      throw InputError("--only: expected experiments among " + listed + ", got '" + key + "'");
    }
    chosen.push_back(*found);
  }
  if (chosen.empty()) throw InputError("--only: expected experiment names, got '" + *only + "'");
  return chosen;
}

// What the runs share, and what they add up.
struct Session {
  fs::path out;
  bool verbose = false;
  bool quick = false;
  std::optional<fs::path> gnuplot;
  Progress& progress;
  std::size_t pngs = 0;
  std::vector<std::string> plot_failures = {};
  nlohmann::ordered_json report = nlohmann::ordered_json::object();
};

void draw(Session& session, Model& model, const CourseExperiment& e, const Dataset& train_set,
          const TrainOptions& options, const RunOutcome& outcome) {
  const DecisionGrid grid = decision_grid(model, train_set.X);
  const PlotFiles files =
      write_plot_files(session.out, {e.key, e.title, options.learning_rate, outcome.result.costs, &grid, &train_set});
  if (!session.gnuplot) return;
  if (const auto failure = run_gnuplot(*session.gnuplot, files.script, files.pngs)) {
    session.plot_failures.push_back(files.script.string() + ": " + *failure);
  } else {
    session.pngs += files.pngs.size();
  }
}

SummaryRow run_experiment(Session& session, const CourseExperiment& e, const TrainTest& data,
                          const std::string& data_name, const std::string& label) {
  TrainOptions options = e.options;
  options.stop_on_non_finite = true;
  if (session.quick) options.iterations = std::max<std::size_t>(1, options.iterations / quick_divisor);
  std::ostream& log = session.progress.log();
  if (session.verbose) {
    options.print_every = 1000;
    options.log = &log;
    log << "== " << e.key << ": " << e.title << " (" << e.spec.describe() << "; learning rate "
        << format_double(options.learning_rate) << ", " << options.iterations << " iterations) ==\n";
  }
  options.progress = session.progress.callback(label);
  SummaryRow row{e.key, e.title, e.in_notes, std::nullopt, ""};
  Model model(e.spec);
  try {
    GradientDescent gradient_descent;  // the notes' update_parameters
    row.outcome = run_training(model, data.train, data.test, options, gradient_descent);
  } catch (const RunError& error) {
    row.failure = error.what();
    session.report["experiments"][e.key] = {{"failure", row.failure}};
    return row;
  }
  if (session.verbose) {
    log << "train accuracy: " << format_double(*row.outcome->train_accuracy)
        << "\ntest accuracy: " << format_double(*row.outcome->test_accuracy) << "\n\n";
  }
  draw(session, model, e, data.train, options, *row.outcome);
  session.report["experiments"][e.key] =
      nlohmann::ordered_json::parse(run_report(e.spec, options, GradientDescent(), data_name, *row.outcome).to_string());
  return row;
}

bool run_checks(Session& session, const FootballData& football) {
  const CourseChecks checks =
      course_gradient_checks(football.data.train, football.stand_in ? "the stand-in data" : "football");
  std::ostream& out = session.progress.log();
  out << "\ngradient checks of " << checks.subject << ":\n";
  bool passed = true;
  for (const CourseCheck& check : checks.checks) {
    out << "  " << check.verdict() << '\n';
    if (!check.report.passed()) out << check.report.to_string();
    passed = passed && check.report.passed();
    session.report["gradient_checks"].push_back({{"check", check.name},
                                                 {"subject", checks.subject},
                                                 {"passed", check.report.passed()},
                                                 {"difference", check.report.difference()},
                                                 {"verdict", check.verdict()}});
  }
  return passed;
}

void print_plot_summary(const Session& session) {
  const std::string folder = session.out.string();
  if (!session.gnuplot) {
    std::cout << "plots: gnuplot not found on PATH: wrote the plot data and scripts to " << folder
              << "/ but no PNGs (install gnuplot-nox, then run: cd " << folder << " && gnuplot KEY.gp)\n";
    return;
  }
  std::cout << "plots: " << session.pngs << " PNGs in " << folder << "/ (KEY_cost.png, KEY_boundary.png)\n";
  std::cout.flush();
  for (const std::string& f : session.plot_failures) std::cerr << "xgrad: error: plots: gnuplot failed on " << f << " (no PNG left)\n";
}

int run_experiments(const ExperimentsSettings& settings) {
  if (!settings.json.empty()) check_distinct_outputs({{"--json", settings.json}, {"--out", settings.out, true}});
  const std::vector<CourseExperiment> experiments = selected_experiments(settings.only);
  const TrainTest circles = models::course_circles();
  const FootballData football = football_data(settings.data);
  Progress progress(std::cout, stdout_is_terminal());
  Session session{.out = settings.out,
                  .verbose = settings.verbose,
                  .quick = settings.quick,
                  .gnuplot = find_gnuplot(),
                  .progress = progress};
  make_output_folder("--out", session.out);

  if (football.stand_in) std::cout << football.notice << '\n';
  std::cout << "circles: the course's circles (300 training, 100 test examples)\nfootball: " << football.description
            << '\n';
  if (session.quick) std::cout << "quick: a tenth of the iterations; the figures are not the notes'\n";
  std::cout << '\n';

  std::vector<SummaryRow> rows;
  bool passed = true;
  for (const CourseExperiment& e : experiments) {
    const bool on_circles = e.data == CourseData::circles;
    const std::string label = "[" + std::to_string(rows.size() + 1) + "/" + std::to_string(experiments.size()) + "] " + e.key;
    rows.push_back(run_experiment(session, e, on_circles ? circles : football.data,
                                  on_circles ? "the course's circles" : football.description, label));
    passed = passed && rows.back().outcome.has_value();
  }
  progress.clear();
  print_summary(std::cout, rows);
  passed = run_checks(session, football) && passed;
  std::cout << '\n';
  print_plot_summary(session);
  if (!settings.json.empty()) {
    session.report["football"] = football.description;
    session.report["quick"] = session.quick;
    // Text that is not UTF-8 (a Latin-1 --data name) is written with U+FFFD, as JsonReport does.
    write_file_atomically(settings.json,
                          session.report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
    std::cout << "wrote " << settings.json << '\n';
  }
  return passed && session.plot_failures.empty() ? 0 : 1;
}

}  // namespace

CommandRun add_experiments_command(CLI::App& program) {
  auto settings = std::make_shared<ExperimentsSettings>();
  settings->declare(*program.add_subcommand("experiments", description));
  return [settings] { return run_experiments(*settings); };
}

}  // namespace xgrad::cli
