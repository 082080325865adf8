// Where the train and gradcheck commands get their data: the course's circles, generated
// circles, or a .mat / .npy / .csv file, chosen by the Data flags.
#pragma once

#include <optional>
#include <string>

#include "args.hpp"
#include <xgrad/core/dataset.hpp>

namespace xgrad::cli {

// --dataset, --samples, --noise, --data-seed, --data, --labels, --test-data, --test-labels,
// --x-train, --y-train, --x-test, --y-test.
FlagGroup data_flags();

struct LoadedData {
  Dataset train;
  std::optional<Dataset> test;  // absent for a .csv/.npy without --test-data
  std::string description;      // one line: where the data came from and its sizes
};

// Reads the data the flags name; without --dataset or --data, the course's circles.
// Ensures: both sets valid (validate_dataset) with the same number of features.
// Throws InputError naming the flag: flags that do not fit the source (--samples without
// --dataset circles, --labels without a .npy, ...), an unknown file type, a file that cannot
// be read ("--data: <FileError message>"), train and test feature counts that differ.
LoadedData load_data(const Args& args);

}  // namespace xgrad::cli
