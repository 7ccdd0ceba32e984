using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using NnGen.Generator.Model;
using NnGen.Generator.Parsing;
using NnGen.Generator.Validation;

namespace NnGen.Generator.Diagnostics
{
    /// <summary>
    /// Call-site rules for generated networks: a buffer whose length is a compile-time constant and cannot fit
    /// (NNG0014: on the network's methods, its <c>Frozen</c> form's and a recurrent network's <c>Step</c> and
    /// <c>Process</c>), and code that zeroes generated weights in a network with a hidden layer (NNG0015).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NetworkUsageAnalyzer : DiagnosticAnalyzer
    {
        // How many locals deep `var a = b;` chains are followed; a chain of declarations is finite, this bounds the cost.
        private const int MaxTraceDepth = 4;

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.BufferLengthMismatch,
            DiagnosticDescriptors.WeightsZeroed);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // One shape per network type per compilation; operation actions run concurrently.
                var shapes = new ConcurrentDictionary<INamedTypeSymbol, NetworkShape?>(SymbolEqualityComparer.Default);
                start.RegisterOperationAction(operation => AnalyzeInvocation(operation, shapes), OperationKind.Invocation);
            });
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, ConcurrentDictionary<INamedTypeSymbol, NetworkShape?> shapes)
        {
            var invocation = (IInvocationOperation)context.Operation;
            IMethodSymbol method = invocation.TargetMethod;
            switch (method.Name)
            {
                case GeneratedNames.Predict or GeneratedNames.PredictBatch or GeneratedNames.ComputeGradients or GeneratedNames.Fit or GeneratedNames.Evaluate or GeneratedNames.GradientCheck
                    or GeneratedNames.Step or GeneratedNames.Process:
                    if (ShapeOf(method.ContainingType, shapes, context.CancellationToken) is { } shape)
                    {
                        CheckBuffers(context, invocation, shape);
                    }

                    break;
                case "Clear" or "Fill":
                    CheckZeroing(context, invocation, shapes);
                    break;
            }
        }

        private static void CheckBuffers(OperationAnalysisContext context, IInvocationOperation invocation, NetworkShape shape)
        {
            string method = invocation.TargetMethod.Name;
            IArgumentOperation? inputs = null, perExample = null;
            int? inputsLength = null, perExampleLength = null;
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter is not { } parameter || argument.ArgumentKind == ArgumentKind.DefaultValue || !IsFloatSpan(parameter.Type))
                {
                    continue;
                }

                int? length = ConstantLength(argument.Value, MaxTraceDepth, context.CancellationToken);
                switch (method, parameter.Name)
                {
                    case (GeneratedNames.Predict or GeneratedNames.Step, GeneratedNames.X):
                        if (length is { } x && x != shape.InputSize)
                        {
                            Report(context, argument, shape, method, GeneratedNames.X, x, "expected InputSize " + Format(shape.InputSize));
                        }

                        break;
                    case (GeneratedNames.Predict or GeneratedNames.Step, GeneratedNames.Y):
                        if (length is { } y && y != shape.OutputSize)
                        {
                            Report(context, argument, shape, method, GeneratedNames.Y, y, "expected OutputSize " + Format(shape.OutputSize));
                        }

                        break;
                    case (_, GeneratedNames.Inputs) or (GeneratedNames.Process, GeneratedNames.Input):
                        inputs = argument;
                        inputsLength = length;
                        break;
                    case (GeneratedNames.PredictBatch, GeneratedNames.Outputs) or (GeneratedNames.Process, GeneratedNames.Output) or
                        (not GeneratedNames.Predict and not GeneratedNames.PredictBatch and not GeneratedNames.Step and not GeneratedNames.Process, GeneratedNames.Labels):
                        perExample = argument;
                        perExampleLength = length;
                        break;
                }
            }

            bool block = method == GeneratedNames.Process;
            string rows = block ? "steps" : "examples";
            int? examples = null;
            if (inputs is not null && inputsLength is { } inputFloats)
            {
                if (inputFloats == 0 && !block)
                {
                    Report(context, inputs, shape, method, GeneratedNames.Inputs, 0, "expected at least one example of InputSize " + Format(shape.InputSize));
                    return;
                }

                if (inputFloats % shape.InputSize != 0)
                {
                    Report(context, inputs, shape, method, inputs.Parameter!.Name, inputFloats, "which is not a multiple of InputSize " + Format(shape.InputSize));
                    return;
                }

                examples = inputFloats / shape.InputSize;
            }

            if (perExample is null || perExampleLength is not { } floats)
            {
                return;
            }

            string name = perExample.Parameter!.Name;
            if (examples is { } m)
            {
                if (floats != m * (long)shape.OutputSize)
                {
                    Report(context, perExample, shape, method, name, floats, string.Format(
                        CultureInfo.InvariantCulture, "expected {0} ({1} holds {2} {3} x OutputSize {4})", m * (long)shape.OutputSize, inputs!.Parameter!.Name, m, rows, shape.OutputSize));
                }
            }
            else if ((floats == 0 && !block) || floats % shape.OutputSize != 0)
            {
                Report(context, perExample, shape, method, name, floats, "which is not a " + (block ? "" : "positive ") + "multiple of OutputSize " + Format(shape.OutputSize));
            }
        }

        private static void Report(OperationAnalysisContext context, IArgumentOperation argument, NetworkShape shape, string method, string parameter, int actual, string expected) =>
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BufferLengthMismatch, argument.Syntax.GetLocation(), shape.Name, method, parameter, Format(actual), expected));

        /// <summary>W1.Clear(), W2.Fill(0), Parameters.Clear() on a generated network with at least one hidden layer.</summary>
        private static void CheckZeroing(OperationAnalysisContext context, IInvocationOperation invocation, ConcurrentDictionary<INamedTypeSymbol, NetworkShape?> shapes)
        {
            IMethodSymbol method = invocation.TargetMethod;
            string call;
            if (method.Name == "Clear" && invocation.Arguments.Length == 0)
            {
                call = "Clear()";
            }
            else if (method.Name == "Fill" && invocation.Arguments.Length == 1 && IsZero(invocation.Arguments[0].Value.ConstantValue))
            {
                call = "Fill(0)";
            }
            else
            {
                return;
            }

            if (!IsFloatSpan(method.ContainingType) ||
                invocation.Instance is not IPropertyReferenceOperation { Property: { IsStatic: false } property } ||
                !IsFloatSpan(property.Type) ||
                ShapeOf(property.ContainingType, shapes, context.CancellationToken) is not { LayerCount: > 1 } shape)
            {
                return;
            }

            string zeroed;
            if (property.Name == GeneratedNames.Parameters)
            {
                zeroed = "every weight, including W1 and W2 on both sides of hidden layer 1";
            }
            else if (property.Name.Length > 1 && property.Name.StartsWith(GeneratedNames.WeightPrefix, System.StringComparison.Ordinal) &&
                int.TryParse(property.Name.Substring(GeneratedNames.WeightPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int l) && l >= 1 && l <= shape.LayerCount)
            {
                zeroed = l == 1 ? "the weights into hidden layer 1"
                    : l == shape.LayerCount ? "the weights out of hidden layer " + Format(l - 1)
                    : "the weights out of hidden layer " + Format(l - 1) + " and into hidden layer " + Format(l);
            }
            else
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WeightsZeroed, invocation.Syntax.GetLocation(), shape.Name, property.Name, call, zeroed));
        }

        private static bool IsZero(Optional<object?> constant) =>
            constant.HasValue && constant.Value switch
            {
                float value => value == 0f,
                double value => value == 0d,
                int value => value == 0,
                _ => false,
            };

        private static NetworkShape? ShapeOf(INamedTypeSymbol? type, ConcurrentDictionary<INamedTypeSymbol, NetworkShape?> shapes, CancellationToken cancellationToken)
        {
            if (type is null)
            {
                return null;
            }

            // GetOrAdd may compute twice under contention; the value is the same either way.
            return shapes.GetOrAdd(type, candidate => ReadShape(candidate, cancellationToken) ?? ReadFrozenShape(candidate, shapes, cancellationToken));
        }

        /// <summary>A network's nested <c>Frozen</c> takes the same buffers as the network, under its own name.</summary>
        private static NetworkShape? ReadFrozenShape(INamedTypeSymbol type, ConcurrentDictionary<INamedTypeSymbol, NetworkShape?> shapes, CancellationToken cancellationToken) =>
            type.Name == GeneratedNames.Frozen && type.ContainingType is { } network && ShapeOf(network, shapes, cancellationToken) is { } shape
                ? shape with { Name = shape.Name + "." + GeneratedNames.Frozen }
                : null;

        /// <summary>
        /// The generated constants when they exist (the generator ran and they are what the code compiles against);
        /// otherwise the declaration itself, through the same parser and validator as the generator.
        /// </summary>
        private static NetworkShape? ReadShape(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            AttributeData? network = type.GetAttributes().FirstOrDefault(attribute => NetworkParser.IsAttribute(attribute, KnownNames.NetworkAttribute));
            if (network is null)
            {
                return null;
            }

            string name = type.Name;
            if (ConstantInt(type, GeneratedNames.InputSize) is { } inputSize && ConstantInt(type, GeneratedNames.OutputSize) is { } outputSize &&
                ConstantInt(type, GeneratedNames.LayerCount) is { } layerCount && inputSize > 0 && outputSize > 0)
            {
                return new NetworkShape(name, inputSize, outputSize, layerCount);
            }

            NetworkSpec spec = NetworkParser.Parse(type, network, cancellationToken);
            if (!NetworkValidator.CanGenerate(spec, NetworkValidator.Validate(spec)) || spec.Inputs is not { } inputs)
            {
                return null;
            }

            return new NetworkShape(name, inputs, spec.Layers[spec.Layers.Count - 1].Units, spec.Layers.Count);
        }

        private static int? ConstantInt(INamedTypeSymbol type, string name)
        {
            foreach (ISymbol member in type.GetMembers(name))
            {
                if (member is IFieldSymbol { IsConst: true, ConstantValue: int value })
                {
                    return value;
                }
            }

            return null;
        }

        /// <summary>
        /// The length of a float buffer when it is a compile-time constant: an array creation, stackalloc or collection
        /// expression, a span over one, or a local initialized from one and never assigned again. Null when unknown.
        /// </summary>
        private static int? ConstantLength(IOperation? operation, int depth, CancellationToken cancellationToken)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            switch (operation)
            {
                case null:
                    return null;
                case IArrayCreationOperation array when array.DimensionSizes.Length == 1:
                    return array.DimensionSizes[0].ConstantValue is { HasValue: true, Value: int size } ? size
                        : array.Initializer is { } initializer ? initializer.ElementValues.Length
                        : null;
                case ICollectionExpressionOperation collection:
                    return collection.Elements.Any(element => element is ISpreadOperation) ? null : collection.Elements.Length;
                case IObjectCreationOperation creation when IsFloatSpan(creation.Type):
                    return creation.Arguments.Length switch
                    {
                        1 => ConstantLength(creation.Arguments[0].Value, depth, cancellationToken),
                        3 => ConstantInt(creation.Arguments[2].Value),
                        _ => null,
                    };
                case IInvocationOperation call:
                    return SliceLength(call, depth, cancellationToken);
                case ILocalReferenceOperation local when depth > 0:
                    return ConstantLength(SingleAssignment(local, cancellationToken), depth - 1, cancellationToken);
                default:
                    return StackAllocLength(operation);
            }
        }

        // array.AsSpan(), array.AsSpan(start, length), span.Slice(start, length).
        private static int? SliceLength(IInvocationOperation call, int depth, CancellationToken cancellationToken)
        {
            IMethodSymbol method = call.TargetMethod;
            bool isAsSpan = method.Name == "AsSpan" && method.ContainingType?.Name == "MemoryExtensions";
            bool isSlice = method.Name == "Slice" && IsFloatSpan(method.ContainingType);
            if (!isAsSpan && !isSlice)
            {
                return null;
            }

            int explicitArguments = call.Arguments.Count(argument => argument.ArgumentKind != ArgumentKind.DefaultValue);
            int receiverArguments = isAsSpan ? 1 : 0;
            if (isAsSpan && explicitArguments == 1)
            {
                return ConstantLength(call.Arguments[0].Value, depth, cancellationToken);
            }

            if (explicitArguments == receiverArguments + 2 && call.Arguments[receiverArguments + 1].Parameter?.Type.SpecialType == SpecialType.System_Int32)
            {
                return ConstantInt(call.Arguments[receiverArguments + 1].Value);
            }

            return null;
        }

        private static int? ConstantInt(IOperation operation) =>
            operation.ConstantValue is { HasValue: true, Value: int value } ? value : null;

        // stackalloc has no IOperation of its own in Roslyn 4.x (it surfaces as OperationKind.None), so read its syntax.
        private static int? StackAllocLength(IOperation operation)
        {
            switch (operation.Syntax)
            {
                case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax arrayType } stackAlloc when operation.SemanticModel is { } model:
                    if (arrayType.RankSpecifiers.Count == 1 && arrayType.RankSpecifiers[0].Sizes.Count == 1 &&
                        arrayType.RankSpecifiers[0].Sizes[0] is not OmittedArraySizeExpressionSyntax &&
                        model.GetConstantValue(arrayType.RankSpecifiers[0].Sizes[0]) is { HasValue: true, Value: int size })
                    {
                        return size;
                    }

                    return stackAlloc.Initializer?.Expressions.Count;
                case ImplicitStackAllocArrayCreationExpressionSyntax implicitStackAlloc:
                    return implicitStackAlloc.Initializer.Expressions.Count;
                default:
                    return null;
            }
        }

        /// <summary>
        /// The initializer of a local that is written nowhere else: not assigned, not passed by ref or out, not aliased
        /// by a ref local, its address not taken. Null when the local may hold anything else.
        /// </summary>
        private static IOperation? SingleAssignment(ILocalReferenceOperation reference, CancellationToken cancellationToken)
        {
            ILocalSymbol local = reference.Local;
            if (local.IsRef || reference.IsDeclaration)
            {
                return null;
            }

            IOperation root = reference;
            while (root.Parent is { } parent)
            {
                root = parent;
            }

            IOperation? initializer = null;
            foreach (IOperation operation in root.Descendants())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        initializer = declarator.Initializer?.Value;
                        if (initializer is null)
                        {
                            return null;
                        }

                        break;
                    case ILocalReferenceOperation use when SymbolEqualityComparer.Default.Equals(use.Local, local) && IsWrite(use):
                        return null;
                }
            }

            return initializer;
        }

        private static bool IsWrite(ILocalReferenceOperation use)
        {
            if (use.IsDeclaration || use.Syntax.Parent is RefExpressionSyntax || use.Syntax.Parent is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression })
            {
                return true;
            }

            IOperation current = use;
            while (current.Parent is ITupleOperation tuple)
            {
                current = tuple;
            }

            return current.Parent switch
            {
                IAssignmentOperation assignment => assignment.Target == current, // also deconstruction and compound assignments
                IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
                IAddressOfOperation => true,
                IIncrementOrDecrementOperation => true,
                _ => false,
            };
        }

        private static bool IsFloatSpan(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span &&
            span.TypeArguments[0].SpecialType == SpecialType.System_Single &&
            span.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>What the call-site rules need to know about a network.</summary>
        private sealed record NetworkShape(string Name, int InputSize, int OutputSize, int LayerCount);
    }
}
