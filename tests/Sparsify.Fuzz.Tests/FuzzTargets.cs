extern alias Generator;

using Generator::Sparsify.Generators.Emission;
using Generator::Sparsify.Generators.Parsing;
using Microsoft.CodeAnalysis.CSharp;
using Sparsify.Core;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Fuzz.Tests;

/// <summary>How a target handled one input: both are the contract; anything else (an exception escaping) is a finding.</summary>
internal enum Outcome
{
    Accepted,
    Refused,
}

/// <summary>
/// What each harness runs on an input, and the contract it checks: untrusted input is accepted or refused
/// with the project's own error (SparsifyModelException from Core, a diagnostic from the generator, a
/// FormatException from the runtime's reader); any other exception escaping is a failure.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>Largest model (in weights) an accepted import is also compiled at, so iterations stay fast.</summary>
    private const long CompileLimit = 20_000;

    /// <summary>The ONNX reader and importer; a model it accepts is also pruned, planned and compiled.</summary>
    public static Outcome ImportOnnx(byte[] bytes)
    {
        Core.Ir.ModelGraph graph;
        try
        {
            graph = OnnxModel.Load(bytes, nameForMessages: "fuzz.onnx");
        }
        catch (SparsifyModelException)
        {
            return Outcome.Refused;
        }

        var weights = graph.Layers.Sum(l => l switch { ConvLayer c => (long)c.Weights.Length, FullyConnectedLayer f => f.Weights.Length, _ => 0 });
        if (weights > CompileLimit)
        {
            return Outcome.Accepted;
        }

        try
        {
            ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.5 });
        }
        catch (SparsifyModelException)
        {
            return Outcome.Refused;
        }
        catch (ArgumentException e) when (e.ParamName == "options")
        {
            // The settings cannot be met by this model (the build's SPRS1005), e.g. a sparsity out of reach.
            return Outcome.Refused;
        }

        return Outcome.Accepted;
    }

    /// <summary>
    /// The manifest's one reader, as the generator runs it, on manifest text; a manifest it accepts is emitted,
    /// and the code must parse as C#. The reader refuses only with a <see cref="ManifestException"/>.
    /// </summary>
    public static Outcome ParseManifest(string text)
    {
        var result = ManifestParsing.Parse(new ManifestFile("/fuzz/obj/sparsify/App.Fuzz.manifest", text, "App", string.Empty), CancellationToken.None);
        if (result.Model is not { } model)
        {
            return Outcome.Refused;
        }

        var code = ModelEmitter.Emit(model);
        var errors = CSharpSyntaxTree.ParseText(code).GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        return errors.Count > 0
            ? throw new InvalidOperationException($"the generator accepted a manifest and emitted code that does not parse: {errors[0]}")
            : Outcome.Accepted;
    }
}
