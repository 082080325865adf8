/// @file
/// scikit-learn's make_circles, bit for bit (the course's circles data set built from it is in models/).
///
/// Hand-written on purpose: the course's figures are computed on sklearn 1.2's output, so the
/// points, the shuffle and the noise must match numpy/sklearn bit for bit (same linspace
/// arithmetic, same draw order on a legacy RandomState). The points use libm's cos/sin, as
/// numpy does on CPUs without AVX-512; on AVX-512 CPUs numpy 1.24 switches np.cos/np.sin to
/// Intel SVML, whose results are up to 2 ulp off, so there the points can differ in their
/// last bits (numpy #23523). Labels, shuffle and noise draws are identical either way.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>

#include <xgrad/core/dataset.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad {

/// sklearn.datasets.make_circles(n_samples, shuffle=shuffle, noise=noise, random_state=rng,
/// factor=factor), transposed to the course layout: X is (2, n_samples), Y is (1, n_samples),
/// label 0 for the n_samples/2 points of the outer circle (radius 1) and 1 for the rest (inner
/// circle, radius factor). Noise is always drawn, as sklearn does for any noise that is not
/// None (noise = 0 still advances rng). Draws from rng: the shuffle (if shuffle), then
/// 2 * n_samples normals.
/// Requires n_samples >= 2, noise finite and >= 0, and 0 <= factor < 1; throws InputError naming the value.
Dataset make_circles(std::size_t n_samples, double noise, RandomState& rng, double factor = 0.8,
                     bool shuffle = true);

/// Columns first .. first + count - 1 of make_circles(n_samples, noise, rng, factor, shuffle),
/// bit for bit, leaving rng where make_circles leaves it after those columns: what one process
/// of a data-parallel run generates of its share. It allocates the shuffle's order
/// (n_samples indices: a permutation draws from all of them) and the share; the noise of the
/// columns before `first` is drawn and dropped (numpy's legacy normal draws by rejection, so
/// the stream cannot skip ahead), the columns after the share are not drawn at all.
/// Requires what make_circles requires, and first + count <= n_samples (InputError naming
/// the values).
Dataset make_circles_columns(std::size_t n_samples, double noise, RandomState& rng, std::size_t first,
                             std::size_t count, double factor = 0.8, bool shuffle = true);

}  // namespace xgrad
