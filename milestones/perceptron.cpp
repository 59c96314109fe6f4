// Milestone 1958: Rosenblatt's perceptron. Two linearly separable 2-D Gaussian clusters; first
// the perceptron learning rule w ← w + η(y − ŷ)x (no gradients, Rosenblatt 1958), then the same
// neuron with a sigmoid trained by autograd on binary cross-entropy. Both must separate the
// training set perfectly; the test set comes from the same clusters.
#include "milestones/milestone.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "tinytorch.h"

namespace tt::milestones {
namespace {

// n points per class around (±2, ±2), rejecting points within `margin` of the line x + y = 0 so
// the classes are separable by construction. x (2n, 2) float32, y (2n) float32 in {0, 1}.
std::pair<Tensor, Tensor> clusters(int64_t n, Generator& g) {
  std::vector<float> xs, ys;
  for (int cls = 0; cls < 2; ++cls) {
    double c = cls ? 2.0 : -2.0;
    for (int64_t k = 0; k < n;) {
      double a = c + 0.8 * g.normal(), b = c + 0.8 * g.normal();
      if ((cls ? 1 : -1) * (a + b) < 0.5) continue;
      xs.push_back(float(a)), xs.push_back(float(b)), ys.push_back(float(cls)), ++k;
    }
  }
  return {from_vector(xs, Shape{2 * n, 2}), from_vector(ys, Shape{2 * n})};
}

double accuracy(const Tensor& scores, const Tensor& y, double threshold) {
  return mean(((scores > threshold).to(kFloat32) == y).to(kFloat32)).item<double>();
}

}  // namespace

MilestoneResult run_perceptron(const MilestoneArgs& a) {
  Generator g(a.seed + 1958);
  auto [x, y] = clusters(100, g);
  auto [xt, yt] = clusters(100, g);
  // 1. The learning rule, one sample at a time, until an epoch makes no mistake.
  Tensor w = zeros(Shape{2}), b = zeros(Shape{});
  int64_t epochs = a.epochs > 0 ? a.epochs : 100;
  for (int64_t e = 0; e < epochs; ++e) {
    int mistakes = 0;
    for (int64_t i = 0; i < x.shape()[0]; ++i) {
      Tensor xi = x[i];
      double pred = (sum(w * xi) + b).item<double>() > 0 ? 1.0 : 0.0, err = y[i].item<double>() - pred;
      if (err != 0) {
        w.add_(xi, 0.1 * err);
        b.add_(scalar_tensor(err), 0.1);
        ++mistakes;
      }
    }
    if (mistakes == 0) break;
  }
  double rule_train = accuracy(matmul(x, w) + b, y, 0.0), rule_test = accuracy(matmul(xt, w) + b, yt, 0.0);
  // 2. A sigmoid neuron trained by gradient descent on BCE.
  nn::Linear neuron(2, 1, true, &g);
  optim::SGD opt(neuron.parameters(), {{"lr", 0.5}});
  for (int64_t e = 0; e < epochs * 2; ++e) {
    Tensor p = sigmoid(neuron(x)).squeeze(1);
    Tensor loss = nn::functional::binary_cross_entropy(p, y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  NoGradGuard ng;
  double train = accuracy(sigmoid(neuron(x)).squeeze(1), y, 0.5), test = accuracy(sigmoid(neuron(xt)).squeeze(1), yt, 0.5);
  MilestoneResult r;
  r.metrics = {{"train_accuracy", std::min(train, rule_train)}, {"test_accuracy", test},
               {"rule_train_accuracy", rule_train}, {"rule_test_accuracy", rule_test}, {"sigmoid_train_accuracy", train}};
  r.passed = train == 1.0 && rule_train == 1.0;
  return r;
}

}  // namespace tt::milestones
