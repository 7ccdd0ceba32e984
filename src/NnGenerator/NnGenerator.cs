using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Baking;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Emit;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Validation;

namespace NnGen.Generator
{
    /// <summary>
    /// The incremental pipeline, and nothing else: [Network] classes → location-free targets (the network, or only its
    /// throwing public surface when the declaration has an error) → hint names unique over the compilation → one source
    /// each. Declaration diagnostics are reported by <see cref="NetworkDeclarationAnalyzer"/> from the same validator.
    /// A network with <c>Weights = "…"</c> is joined with its own safetensors AdditionalFile, baked and checked
    /// (<see cref="WeightsBaker"/>); the generator reports the baking diagnostics (NNG0024–NNG0028) itself, since only it
    /// reads the file.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NnGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline's stages, for the caching tests.</summary>
        public static class TrackingNames
        {
            /// <summary>Attributed classes parsed, validated and stripped of locations (null when nothing is emitted).</summary>
            public const string Specs = nameof(Specs);

            /// <summary>Only the targets that emit something; this is what emission caches on.</summary>
            public const string ValidSpecs = nameof(ValidSpecs);

            /// <summary>The hint names of all targets, recomputed when a network is added, removed or renamed.</summary>
            public const string HintNames = nameof(HintNames);

            /// <summary>The safetensors AdditionalFiles, read (only files with a .safetensors or .safetensors.nngen-base64 path).</summary>
            public const string WeightFiles = nameof(WeightFiles);

            /// <summary>Each network with its own Weights file only (or the problem in finding it).</summary>
            public const string WeightsMatched = nameof(WeightsMatched);

            /// <summary>Each network with its weights baked and checked: what emission caches on.</summary>
            public const string BakedTargets = nameof(BakedTargets);

            /// <summary>The Weights arguments' locations, for the baking diagnostics (they change when a network moves).</summary>
            public const string WeightsLocations = nameof(WeightsLocations);
        }

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Caches on the target's value equality: an edit elsewhere, or one that only moves the class, yields an equal target.
            IncrementalValuesProvider<NetworkTarget?> specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.NetworkAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                    transform: static (context, cancellationToken) => ToTarget(context, cancellationToken))
                .WithTrackingName(TrackingNames.Specs);

            IncrementalValuesProvider<NetworkTarget> targets = specs
                .Where(static target => target is not null)
                .Select(static (target, _) => target!)
                .WithTrackingName(TrackingNames.ValidSpecs);

            // Hint names depend on every network (two may differ only in case), so they are assigned over all keys; the map
            // compares by value, so an edit that keeps the set of names leaves each network's emission cached.
            // Only candidate paths are read; an edit to any other AdditionalFile leaves this collection equal.
            IncrementalValueProvider<EquatableArray<WeightsFileContent>> weightFiles = context.AdditionalTextsProvider
                .Where(static file => AdditionalWeightsFile.IsCandidate(file.Path))
                .Select(static (file, cancellationToken) => AdditionalWeightsFile.Read(file, cancellationToken))
                .Collect()
                .Select(static (files, _) => new EquatableArray<WeightsFileContent>(files.OrderBy(file => file.LogicalPath, StringComparer.Ordinal)))
                .WithTrackingName(TrackingNames.WeightFiles);

            // Matching keeps only the network's own file, so editing another weights file leaves this output equal and
            // the (costlier) baking and the emission cached.
            IncrementalValuesProvider<(NetworkTarget Target, BakeInput? Input)> matched = targets
                .Combine(weightFiles)
                .Select(static (pair, _) => (pair.Left, Match(pair.Left, pair.Right)))
                .WithTrackingName(TrackingNames.WeightsMatched);

            IncrementalValuesProvider<NetworkTarget> baked = matched
                .Select(static (pair, cancellationToken) => Bake(pair.Target, pair.Input, cancellationToken))
                .WithTrackingName(TrackingNames.BakedTargets);

            IncrementalValueProvider<ImmutableArray<WeightsLocation>> weightsLocations = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.NetworkAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    transform: static (context, cancellationToken) => ToWeightsLocation(context, cancellationToken))
                .Where(static location => location is not null)
                .Select(static (location, _) => location!)
                .Collect()
                .WithTrackingName(TrackingNames.WeightsLocations);

            IncrementalValueProvider<HintNameMap> hintNames = targets
                .Select(static (target, _) => target.Spec.HintKey)
                .Collect()
                .Select(static (keys, _) => HintNames.Assign(keys))
                .WithTrackingName(TrackingNames.HintNames);

            context.RegisterSourceOutput(baked.Combine(hintNames), static (output, pair) => Emit(output, pair.Left, pair.Right));

            // Reported apart from emission, so moving a network with a bad Weights file re-reports without regenerating.
            IncrementalValuesProvider<(string HintKey, BakeProblem Problem)> problems = baked
                .Where(static target => target.Baked?.Problem is not null)
                .Select(static (target, _) => (target.Spec.HintKey, target.Baked!.Problem!));
            context.RegisterSourceOutput(problems.Combine(weightsLocations), static (output, pair) => Report(output, pair.Left.HintKey, pair.Left.Problem, pair.Right));
        }

        private static BakeInput? Match(NetworkTarget target, EquatableArray<WeightsFileContent> files)
        {
            if (target.Kind != GenerationKind.Network || target.Spec.Weights is not { } weights)
            {
                return null;
            }

            try
            {
                return WeightsMatcher.Match(weights, target.Spec.DisplayName, files);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new BakeInput(weights, null, BakeProblem.Create(DiagnosticIds.WeightsFileNotFound, target.Spec.DisplayName, weights, "NnGen could not look it up (" + Describe(exception) + ")"));
            }
        }

        private static NetworkTarget Bake(NetworkTarget target, BakeInput? input, CancellationToken cancellationToken)
        {
            if (input is null)
            {
                return target;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return target with { Baked = WeightsBaker.Bake(target.Spec, input) };
        }

        private static WeightsLocation? ToWeightsLocation(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length != 1)
            {
                return null;
            }

            try
            {
                var syntax = context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                return NetworkParser.WeightsArgument(syntax) is { } location ? new WeightsLocation(Identifiers.HintKey(type), location) : null;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Without a location the baking diagnostic is still reported, at no location.
                return null;
            }
        }

        private static void Report(SourceProductionContext output, string hintKey, BakeProblem problem, ImmutableArray<WeightsLocation> locations)
        {
            if (DiagnosticDescriptors.Baking(problem.DescriptorId) is not { } descriptor)
            {
                return;
            }

            Location location = locations.FirstOrDefault(candidate => candidate.HintKey == hintKey)?.Location.ToLocation() ?? Location.None;
            output.ReportDiagnostic(Diagnostic.Create(descriptor, location, problem.MessageArgs.Cast<object>().ToArray()));
        }

        private static NetworkTarget? ToTarget(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            // A class with [Network] on two declarations is already a compiler error (AllowMultiple = false); emitting for
            // each would also collide on the hint name, so such a class gets nothing. Nor does one whose name or
            // accessibility the compiler rejects: a generated part would only add errors to the compiler's own.
            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length != 1 ||
                CountNetworkAttributes(type) != 1 || DeclarationFacts.IsRejectedByCompiler(type))
            {
                return null;
            }

            NetworkSpec spec;
            ImmutableArray<DiagnosticInfo> diagnostics;
            try
            {
                spec = NetworkParser.Parse(type, context.Attributes[0], cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                diagnostics = NetworkValidator.Validate(spec);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A generator that throws loses the output of every network in the compilation (CS8785); this one only its own.
                return new NetworkTarget(FailedSpec(type), GenerationKind.None, Describe(exception));
            }

            GenerationKind kind = NetworkValidator.Decide(spec, diagnostics);
            if (kind == GenerationKind.None)
            {
                return null;
            }

            string? error = kind == GenerationKind.Surface ? FirstError(diagnostics) : null;
            EquatableArray<string> shadowed = kind == GenerationKind.Network
                ? ShadowedNames.Find(context.SemanticModel, context.TargetNode, type, cancellationToken)
                : EquatableArray<string>.Empty;
            return new NetworkTarget(spec.WithoutLocations(), kind, error) { ShadowedNames = shadowed };
        }

        private static void Emit(SourceProductionContext output, NetworkTarget target, HintNameMap hintNames)
        {
            if (target.Kind == GenerationKind.None)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorFailure, Location.None, target.Spec.DisplayName, target.Error));
                return;
            }

            if (HintNames.Find(hintNames, target.Spec.HintKey) is not { } hintName)
            {
                return;
            }

            string source;
            try
            {
                source = target.Kind == GenerationKind.Network
                    ? NetworkEmitter.Emit(target.Spec, target.Baked?.Parameters is null ? null : target.Baked, target.ShadowedNames)
                    : ErrorSurfaceEmitter.Emit(target.Spec, target.Error ?? "the compiler reports an error in its [Network] or [Layer] attributes");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorFailure, Location.None, target.Spec.DisplayName, Describe(exception)));
                return;
            }

            output.AddSource(hintName, source);
        }

        // The surface's members repeat the first error; when only the compiler rejects the attributes, the error is its own.
        private static string? FirstError(ImmutableArray<DiagnosticInfo> diagnostics) =>
            diagnostics
                .Where(diagnostic => diagnostic.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                .Select(diagnostic => diagnostic.Descriptor.Id + ": " + string.Format(CultureInfo.InvariantCulture, diagnostic.Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), diagnostic.MessageArgs.Cast<object>().ToArray()))
                .FirstOrDefault();

        private static NetworkSpec FailedSpec(INamedTypeSymbol type) =>
            new(null, type.Name, string.Empty, "class", false, false, EquatableArray<ContainingTypeSpec>.Empty, null, 0, 0, EquatableArray<LayerSpec>.Empty, 0, false, null);

        private static string Describe(Exception exception) =>
            exception.GetType().Name + ": " + exception.Message + " at " + (exception.StackTrace ?? string.Empty).Split('\n').FirstOrDefault()?.Trim();

        private static int CountNetworkAttributes(INamedTypeSymbol type)
        {
            int count = 0;
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (NetworkParser.IsAttribute(attribute, KnownNames.NetworkAttribute))
                {
                    count++;
                }
            }

            return count;
        }
    }
}
