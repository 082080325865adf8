// xgrad evaluate: a saved run's model (--checkpoint file) scored on labelled data.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "data_source.hpp"
#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/run_checkpoint.hpp>

namespace xgrad::cli {

namespace {

const char* const description =
    "Prints the cost and the accuracy of the model of a checkpoint (xgrad train --checkpoint FILE) on labelled data "
    "(the Data flags, as xgrad train reads them; both sets when there is a test set).";

struct EvaluateSettings {
  std::string model;
  DataFlags data;

  void declare(CLI::App& command) {
    command.add_option("--model", model, "The checkpoint written by xgrad train --checkpoint.")
        ->type_name("FILE")->required()->check(file_name());
    data.declare(command);
  }
};

void print(const std::string& name, const Evaluation& e) {
  std::cout << name << ": " << e.examples << " examples, cost " << format_double(e.cost);
  if (e.accuracy) std::cout << ", accuracy " << format_double(*e.accuracy);
  std::cout << '\n';
}

int run_evaluate(const EvaluateSettings& settings) {
  std::unique_ptr<Model> model;
  try {
    model = load_model(settings.model);
  } catch (const InputError& e) {
    throw InputError(std::string("--model: ") + e.what());
  }
  const LoadedData data = settings.data.load(model->spec().label_rule());
  if (data.train.features() != model->spec().inputs) {
    throw InputError("--data: the data have " + std::to_string(data.train.features()) + " features but the model takes " +
                     std::to_string(model->spec().inputs));
  }
  std::cout << "model: " << model->spec().describe() << "\ndata: " << data.description << '\n';
  print("training set", evaluate(*model, data.train, "training set"));
  if (data.test) print("test set", evaluate(*model, *data.test, "test set"));
  return 0;
}

}  // namespace

CommandRun add_evaluate_command(CLI::App& program) {
  auto settings = std::make_shared<EvaluateSettings>();
  settings->declare(*program.add_subcommand("evaluate", description));
  return [settings] { return run_evaluate(*settings); };
}

}  // namespace xgrad::cli
