using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sparsify.Generators.Emission;
using Sparsify.Generators.Model;
using Sparsify.Generators.Parsing;

namespace Sparsify.Generators;

/// <summary>
/// Emits one model class per Sparsify manifest. Pipeline: AdditionalFiles marked
/// <c>SparsifyManifest=true</c> → <see cref="ManifestFile"/> (text and settings) → parsed
/// <see cref="ManifestResult"/> (equatable) → source. Each step is named so tests can check caching.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SparsifyGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the step that selects manifests and reads their text.</summary>
    public const string ManifestFilesStep = "SparsifyManifestFiles";

    /// <summary>Tracking name of the step that parses manifests into specs.</summary>
    public const string ModelSpecsStep = "SparsifyModelSpecs";

    /// <summary>Tracking name of the step that reads whether unsafe code is allowed.</summary>
    public const string AllowUnsafeStep = "SparsifyAllowUnsafe";

    private const string MetadataPrefix = "build_metadata.AdditionalFiles.";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var rootNamespace = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var ns) ? ns.Trim() : string.Empty);

        var files = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Combine(rootNamespace)
            .Select(static (input, cancellation) => Read(input.Left.Left, input.Left.Right, input.Right, cancellation))
            .Where(static file => file is not null)
            .Select(static (file, _) => file!)
            .WithTrackingName(ManifestFilesStep);

        var specs = files
            .Select(static (file, cancellation) => ManifestParser.Parse(file, cancellation))
            .WithTrackingName(ModelSpecsStep);

        var allowUnsafe = context.CompilationProvider
            .Select(static (compilation, _) => compilation.Options is Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(AllowUnsafeStep);

        context.RegisterSourceOutput(specs.Collect().Combine(allowUnsafe), static (output, input) => Produce(output, input.Left, input.Right));
    }

    private static ManifestFile? Read(AdditionalText text, AnalyzerConfigOptionsProvider options, string rootNamespace, CancellationToken cancellation)
    {
        var fileOptions = options.GetOptions(text);
        if (!fileOptions.TryGetValue(MetadataPrefix + "SparsifyManifest", out var flag) || !string.Equals(flag.Trim(), "true", System.StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var ns = fileOptions.TryGetValue(MetadataPrefix + "SparsifyNamespace", out var n) && n.Trim().Length > 0 ? n.Trim() : rootNamespace;
        var resource = fileOptions.TryGetValue(MetadataPrefix + "SparsifyResourceName", out var r) ? r.Trim() : string.Empty;
        var content = text.GetText(cancellation)?.ToString() ?? string.Empty;
        var hashes = options.GlobalOptions.TryGetValue("build_property._SparsifyModelHashes", out var h) ? h.Trim() : string.Empty;
        return new ManifestFile(text.Path, content, ns, resource, hashes);
    }

    private static void Produce(SourceProductionContext context, ImmutableArray<ManifestResult> results, bool allowUnsafe)
    {
        var seen = new HashSet<string>();
        foreach (var result in results)
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                context.ReportDiagnostic(ToDiagnostic(diagnostic));
            }

            if (result.Model is not { } model)
            {
                continue;
            }

            var fullName = model.Namespace.Length > 0 ? model.Namespace + "." + model.ClassName : model.ClassName;
            if (!seen.Add(fullName))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateClass, ClassLocation(model), fullName));
                continue;
            }

            if (!allowUnsafe && model.Layers.Any(l => l.Op == "Conv" && l.Plan == PlanKind.SparseUnrolled))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsafeRequired, ClassLocation(model), fullName));
                continue;
            }

            context.AddSource(fullName + ".g.cs", SourceText.From(ModelEmitter.Emit(model), System.Text.Encoding.UTF8));
        }
    }

    private static Location ClassLocation(ModelSpec model)
    {
        var line = new LinePosition(model.ClassLine, 0);
        return Location.Create(model.FilePath, default, new LinePositionSpan(line, line));
    }

    private static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var start = new LinePosition(info.Line, 0);
        var end = new LinePosition(info.Line, info.LineLength);
        var location = Location.Create(info.FilePath, default, new LinePositionSpan(start, end));
        return Diagnostic.Create(DiagnosticDescriptors.ById[info.Id], location, info.Arguments.Cast<object>().ToArray());
    }
}
