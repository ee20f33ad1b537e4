using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sparsify.Generators.Emission;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;
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

    /// <summary>Tracking name of the step that finds, per class name, the one manifest that may generate it.</summary>
    public const string ClassOwnersStep = "SparsifyClassOwners";

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
            .Select(static (file, cancellation) => ManifestParsing.Parse(file, cancellation))
            .WithTrackingName(ModelSpecsStep);

        var allowUnsafe = context.CompilationProvider
            .Select(static (compilation, _) => compilation.Options is Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(AllowUnsafeStep);

        // Only the class names are gathered across manifests (to refuse two manifests for one class), so a
        // change to one model re-emits that model alone: each spec is its own source output.
        var owners = specs
            .Select(static (result, _) => result.Model is { } m ? new ClassClaim(FullName(m), m.FilePath) : null)
            .Where(static claim => claim is not null)
            .Select(static (claim, _) => claim!)
            .Collect()
            .Select(static (claims, _) => claims.GroupBy(c => c.FullName).Select(g => g.First()).ToEquatableList())
            .WithTrackingName(ClassOwnersStep);

        context.RegisterSourceOutput(specs.Combine(owners).Combine(allowUnsafe), static (output, input) => Produce(output, input.Left.Left, input.Left.Right, input.Right));
    }

    private static string FullName(ModelSpec model) => model.Namespace.Length > 0 ? model.Namespace + "." + model.ClassName : model.ClassName;

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

    private static void Produce(SourceProductionContext context, ManifestResult result, EquatableList<ClassClaim> owners, bool allowUnsafe)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(ToDiagnostic(diagnostic));
        }

        if (result.Model is not { } model)
        {
            return;
        }

        // The first manifest (in the compilation's order) that names a class generates it; the others are refused.
        var fullName = FullName(model);
        if (owners.FirstOrDefault(o => o.FullName == fullName) is { } owner && owner.FilePath != model.FilePath)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateClass, ClassLocation(model), fullName));
            return;
        }

        if (!allowUnsafe && model.Layers.Any(l => l.Op == "Conv" && l.Plan == LayerExecution.SparseUnrolled))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsafeRequired, ClassLocation(model), fullName));
            return;
        }

        context.AddSource(fullName + ".g.cs", SourceText.From(ModelEmitter.Emit(model), System.Text.Encoding.UTF8));
    }

    private static Location ClassLocation(ModelSpec model)
    {
        var line = new LinePosition(model.Lines.Class, 0);
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

/// <summary>A manifest's claim to generate a class.</summary>
/// <param name="FullName">The class's full name.</param>
/// <param name="FilePath">The manifest's path.</param>
internal sealed record ClassClaim(string FullName, string FilePath);
