using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NnGen.Generator.Model;

namespace NnGen.Generator.Parsing
{
    /// <summary>
    /// Symbols → <see cref="NetworkSpec"/>. The only place that reads attributes; it records what it finds
    /// (including what is wrong) as plain values and judges nothing: that is the validator's job.
    /// </summary>
    internal static class NetworkParser
    {
        /// <summary>Reads the network declared by <paramref name="networkAttribute"/> on <paramref name="type"/>.</summary>
        public static NetworkSpec Parse(INamedTypeSymbol type, AttributeData networkAttribute, CancellationToken cancellationToken)
        {
            bool hasAttributeErrors = HasErrors(networkAttribute);

            int? inputs = null;
            int lossValue = 0;
            int initValue = 0;
            string? weights = null;
            var inputShape = EquatableArray<int>.Empty;
            foreach (KeyValuePair<string, TypedConstant> argument in networkAttribute.NamedArguments)
            {
                if (argument.Key == KnownNames.InputProperty)
                {
                    // An array's elements are in Values (Value throws); `Input = null` is an array constant that is null.
                    if (argument.Value.Kind != TypedConstantKind.Array || argument.Value.IsNull ||
                        argument.Value.Values.Any(element => element.Value is not int))
                    {
                        hasAttributeErrors |= argument.Value.Kind != TypedConstantKind.Array;
                        inputShape = new EquatableArray<int>(new[] { 0 });
                    }
                    else
                    {
                        inputShape = new EquatableArray<int>(argument.Value.Values.Select(element => (int)element.Value!).ToArray());
                    }

                    continue;
                }

                if (argument.Key == KnownNames.WeightsProperty && argument.Value.Kind != TypedConstantKind.Error)
                {
                    // Weights = null is the default: nothing to bake.
                    weights = argument.Value.Value as string;
                    continue;
                }

                if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is not int value)
                {
                    hasAttributeErrors = true;
                    continue;
                }

                switch (argument.Key)
                {
                    case KnownNames.InputsProperty:
                        inputs = value;
                        break;
                    case KnownNames.LossProperty:
                        lossValue = value;
                        break;
                    case KnownNames.InitProperty:
                        initValue = value;
                        break;
                }
            }

            var networkSyntax = networkAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

            var layerAttributes = type.GetAttributes()
                .Where(attribute => LayerKindOf(attribute) is not null)
                .Select(attribute => (Data: attribute, Syntax: attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax))
                .OrderBy(layer => layer.Syntax?.SyntaxTree.FilePath ?? string.Empty, StringComparer.Ordinal)
                .ThenBy(layer => layer.Syntax?.SpanStart ?? 0)
                .ToList();

            var layers = new List<LayerSpec>(layerAttributes.Count);
            foreach ((AttributeData data, AttributeSyntax? syntax) in layerAttributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                layers.Add(ParseLayer(data, syntax, ref hasAttributeErrors));
            }

            // Layers on more than one partial declaration have no defined order, so the validator rejects them.
            var layerDeclarations = layerAttributes
                .Select(layer => layer.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>())
                .Where(declaration => declaration is not null)
                .Distinct()
                .ToList();
            LocationInfo? secondDeclaration = layerDeclarations.Count > 1
                ? LocationInfo.From(layerAttributes.First(layer => layer.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>() == layerDeclarations[1]).Syntax)
                : null;

            // The analyzer sees the generated part of the class too; only the user's declarations count.
            var declarations = DeclarationFacts.UserDeclarations(type, cancellationToken);
            TypeDeclarationSyntax? primary = networkSyntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>() ?? declarations.FirstOrDefault();

            var locations = new NetworkLocations(
                Attribute: LocationInfo.From(networkSyntax),
                Identifier: primary is null ? null : LocationInfo.From(primary.Identifier.GetLocation()),
                Inputs: LocationInfo.From(NamedArgument(networkSyntax, KnownNames.InputsProperty)),
                Loss: LocationInfo.From(NamedArgument(networkSyntax, KnownNames.LossProperty)),
                Init: LocationInfo.From(NamedArgument(networkSyntax, KnownNames.InitProperty)),
                SecondLayerDeclaration: secondDeclaration)
            {
                PrimaryConstructor = LocationInfo.From(declarations.Select(declaration => declaration.ParameterList).FirstOrDefault(list => list is not null)),
                Weights = WeightsArgument(networkSyntax),
                Input = LocationInfo.From(NamedArgument(networkSyntax, KnownNames.InputProperty)),
            };

            return new NetworkSpec(
                Namespace: Identifiers.Namespace(type),
                Name: Identifiers.Escape(type.Name),
                TypeParameters: Identifiers.TypeParameterList(type),
                Keyword: primary is RecordDeclarationSyntax ? "record" : "class",
                IsPartial: declarations.Count > 0 && declarations.All(IsPartial),
                IsStatic: type.IsStatic,
                ContainingTypes: new EquatableArray<ContainingTypeSpec>(ContainingTypes(type, cancellationToken)),
                Inputs: inputs,
                LossValue: lossValue,
                InitValue: initValue,
                Layers: new EquatableArray<LayerSpec>(layers),
                LayerDeclarationCount: layerDeclarations.Count,
                HasAttributeErrors: hasAttributeErrors,
                Locations: locations)
            {
                HintKey = Identifiers.HintKey(type),
                Weights = weights,
                InputShape = inputShape,
                HasName = HasName(type),
                IsFileLocal = FileLocalType(type) is not null,
                FileLocalContainingType = FileLocalType(type) is { } fileLocal && !SymbolEqualityComparer.Default.Equals(fileLocal, type) ? Identifiers.Escape(fileLocal.Name) : null,
                HasPrimaryConstructor = locations.PrimaryConstructor is not null,
                BaseNetwork = BaseNetwork(type),
                BaseWithoutParameterlessConstructor = BaseWithoutParameterlessConstructor(type),
                NameConflicts = new EquatableArray<NameConflict>(DeclarationFacts.NameConflicts(type, layers.Count, locations.Attribute, cancellationToken)),
            };
        }

        /// <summary>True when <paramref name="attribute"/> is the runtime type named <paramref name="metadataName"/>.</summary>
        public static bool IsAttribute(AttributeData attribute, string metadataName) =>
            attribute.AttributeClass is { } attributeClass &&
            attributeClass.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) == metadataName;

        /// <summary>The layer kind an attribute declares ([Layer] is [Dense]'s synonym), or null for any other attribute.</summary>
        private static LayerKind? LayerKindOf(AttributeData attribute) =>
            IsAttribute(attribute, KnownNames.DenseAttribute) || IsAttribute(attribute, KnownNames.LayerAttribute) ? LayerKind.Dense
            : IsAttribute(attribute, KnownNames.DropoutAttribute) ? LayerKind.Dropout
            : IsAttribute(attribute, KnownNames.BatchNormAttribute) ? LayerKind.BatchNorm
            : IsAttribute(attribute, KnownNames.LayerNormAttribute) ? LayerKind.LayerNorm
            : IsAttribute(attribute, KnownNames.LstmAttribute) ? LayerKind.Lstm
            : IsAttribute(attribute, KnownNames.GruAttribute) ? LayerKind.Gru
            : IsAttribute(attribute, KnownNames.Conv1DAttribute) ? LayerKind.Conv1D
            : IsAttribute(attribute, KnownNames.Conv2DAttribute) ? LayerKind.Conv2D
            : IsAttribute(attribute, KnownNames.MaxPool1DAttribute) ? LayerKind.MaxPool1D
            : IsAttribute(attribute, KnownNames.MaxPool2DAttribute) ? LayerKind.MaxPool2D
            : IsAttribute(attribute, KnownNames.AvgPool1DAttribute) ? LayerKind.AvgPool1D
            : IsAttribute(attribute, KnownNames.AvgPool2DAttribute) ? LayerKind.AvgPool2D
            : IsAttribute(attribute, KnownNames.GlobalAvgPoolAttribute) ? LayerKind.GlobalAvgPool
            : IsAttribute(attribute, KnownNames.FlattenAttribute) ? LayerKind.Flatten
            : null;

        private static LayerSpec ParseLayer(AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors) =>
            LayerKindOf(data) switch
            {
                LayerKind.Dropout => ParseDropout(data, syntax, ref hasAttributeErrors),
                LayerKind.BatchNorm or LayerKind.LayerNorm => ParseNormalization(data, syntax, ref hasAttributeErrors),
                LayerKind.Lstm => ParseRecurrent(LayerKind.Lstm, data, syntax, ref hasAttributeErrors),
                LayerKind.Gru => ParseRecurrent(LayerKind.Gru, data, syntax, ref hasAttributeErrors),
                LayerKind.Conv1D or LayerKind.Conv2D => ParseConvolution(LayerKindOf(data)!.Value, data, syntax, ref hasAttributeErrors),
                LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAvgPool or LayerKind.Flatten =>
                    ParsePooling(LayerKindOf(data)!.Value, data, syntax, ref hasAttributeErrors),
                _ => ParseDense(data, syntax, ref hasAttributeErrors),
            };

        private static LayerSpec ParseDropout(AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            double rate = 0;
            if (HasErrors(data) || data.ConstructorArguments.Length != 1 || data.NamedArguments.Length != 0 ||
                data.ConstructorArguments[0].Value is not double parsedRate)
            {
                hasAttributeErrors = true;
            }
            else
            {
                rate = parsedRate;
            }

            AttributeArgumentSyntax? first = syntax?.ArgumentList?.Arguments.FirstOrDefault(argument => argument.NameEquals is null);
            return LayerSpec.Dropout(rate, new LayerLocations(LocationInfo.From(syntax), LocationInfo.From((SyntaxNode?)first ?? syntax), null, null));
        }

        private static LayerSpec ParseNormalization(AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            bool batch = LayerKindOf(data) == LayerKind.BatchNorm;

            // PyTorch's defaults, which the attributes' property initializers also hold; the compiler gives the
            // generator only the arguments written, not the initializers.
            double momentum = 0.1;
            double epsilon = 1e-5;
            if (HasErrors(data) || data.ConstructorArguments.Length != 0)
            {
                hasAttributeErrors = true;
            }

            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Key == KnownNames.EpsilonProperty && argument.Value.Value is double parsedEpsilon)
                {
                    epsilon = parsedEpsilon;
                }
                else if (batch && argument.Key == KnownNames.MomentumProperty && argument.Value.Value is double parsedMomentum)
                {
                    momentum = parsedMomentum;
                }
                else
                {
                    hasAttributeErrors = true;
                }
            }

            var locations = new LayerLocations(LocationInfo.From(syntax), null, null, null)
            {
                Momentum = LocationInfo.From(NamedArgument(syntax, KnownNames.MomentumProperty)),
                Epsilon = LocationInfo.From(NamedArgument(syntax, KnownNames.EpsilonProperty)),
            };
            return batch ? LayerSpec.BatchNorm(momentum, epsilon, locations) : LayerSpec.LayerNorm(epsilon, locations);
        }

        private static LayerSpec ParseRecurrent(LayerKind kind, AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            int units = 0;
            if (HasErrors(data) || data.ConstructorArguments.Length != 1 || data.ConstructorArguments[0].Value is not int parsedUnits)
            {
                hasAttributeErrors = true;
            }
            else
            {
                units = parsedUnits;
            }

            // The attribute's initializer (true) is not visible to the generator; only a written argument is.
            bool returnSequences = true;
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Key == KnownNames.ReturnSequencesProperty && argument.Value.Value is bool parsed)
                {
                    returnSequences = parsed;
                }
                else
                {
                    hasAttributeErrors = true;
                }
            }

            AttributeArgumentSyntax? first = syntax?.ArgumentList?.Arguments.FirstOrDefault(argument => argument.NameEquals is null);
            var locations = new LayerLocations(LocationInfo.From(syntax), LocationInfo.From((SyntaxNode?)first ?? syntax), null, null)
            {
                ReturnSequences = LocationInfo.From(NamedArgument(syntax, KnownNames.ReturnSequencesProperty)),
            };
            return LayerSpec.Recurrent(kind, units, returnSequences, locations);
        }

        private static LayerSpec ParseConvolution(LayerKind kind, AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            int channels = 0;
            if (HasErrors(data) || data.ConstructorArguments.Length != 1 || data.ConstructorArguments[0].Value is not int parsedChannels)
            {
                hasAttributeErrors = true;
            }
            else
            {
                channels = parsedChannels;
            }

            // The attribute's initializers, which the generator cannot see: only written arguments reach it.
            int kernel = 3, stride = 1, padding = 0, paddingMode = 0, dilation = 1, groups = 1, activation = (int)ActivationKind.Linear, init = 0;
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Value.Value is not int value)
                {
                    hasAttributeErrors = true;
                    continue;
                }

                switch (argument.Key)
                {
                    case KnownNames.KernelProperty: kernel = value; break;
                    case KnownNames.StrideProperty: stride = value; break;
                    case KnownNames.PaddingProperty: padding = value; break;
                    case KnownNames.PaddingModeProperty: paddingMode = value; break;
                    case KnownNames.DilationProperty: dilation = value; break;
                    case KnownNames.GroupsProperty: groups = value; break;
                    case KnownNames.ActivationProperty: activation = value; break;
                    case KnownNames.InitProperty: init = value; break;
                    default: hasAttributeErrors = true; break;
                }
            }

            AttributeArgumentSyntax? first = syntax?.ArgumentList?.Arguments.FirstOrDefault(argument => argument.NameEquals is null);
            var locations = new LayerLocations(
                LocationInfo.From(syntax),
                LocationInfo.From((SyntaxNode?)first ?? syntax),
                LocationInfo.From(NamedArgument(syntax, KnownNames.ActivationProperty)),
                LocationInfo.From(NamedArgument(syntax, KnownNames.InitProperty)))
            {
                Kernel = LocationInfo.From(NamedArgument(syntax, KnownNames.KernelProperty)),
                Stride = LocationInfo.From(NamedArgument(syntax, KnownNames.StrideProperty)),
                Padding = LocationInfo.From(NamedArgument(syntax, KnownNames.PaddingProperty)),
                PaddingMode = LocationInfo.From(NamedArgument(syntax, KnownNames.PaddingModeProperty)),
                Dilation = LocationInfo.From(NamedArgument(syntax, KnownNames.DilationProperty)),
                Groups = LocationInfo.From(NamedArgument(syntax, KnownNames.GroupsProperty)),
            };
            return LayerSpec.Convolution(kind, channels, activation, init, kernel, stride, padding, paddingMode, dilation, groups, locations);
        }

        private static LayerSpec ParsePooling(LayerKind kind, AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            bool windowed = kind is not (LayerKind.GlobalAvgPool or LayerKind.Flatten);
            int kernel = 0;
            if (HasErrors(data) || data.ConstructorArguments.Length != (windowed ? 1 : 0))
            {
                hasAttributeErrors = true;
            }
            else if (windowed)
            {
                if (data.ConstructorArguments[0].Value is int parsedKernel)
                {
                    kernel = parsedKernel;
                }
                else
                {
                    hasAttributeErrors = true;
                }
            }

            // A pool's stride defaults to its window, as in PyTorch.
            int? stride = null;
            int padding = 0;
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Value.Value is not int value)
                {
                    hasAttributeErrors = true;
                }
                else if (argument.Key == KnownNames.StrideProperty)
                {
                    stride = value;
                }
                else if (argument.Key == KnownNames.PaddingProperty)
                {
                    padding = value;
                }
                else
                {
                    hasAttributeErrors = true;
                }
            }

            AttributeArgumentSyntax? first = syntax?.ArgumentList?.Arguments.FirstOrDefault(argument => argument.NameEquals is null);
            var locations = new LayerLocations(LocationInfo.From(syntax), LocationInfo.From((SyntaxNode?)first ?? syntax), null, null)
            {
                Kernel = LocationInfo.From((SyntaxNode?)first ?? syntax),
                Stride = LocationInfo.From(NamedArgument(syntax, KnownNames.StrideProperty)),
                Padding = LocationInfo.From(NamedArgument(syntax, KnownNames.PaddingProperty)),
            };
            return LayerSpec.Pooling(kind, kernel, stride ?? kernel, padding, locations);
        }

        private static LayerSpec ParseDense(AttributeData data, AttributeSyntax? syntax, ref bool hasAttributeErrors)
        {
            int units = 0;
            int activation = 0;
            if (HasErrors(data) || data.ConstructorArguments.Length != 2 ||
                data.ConstructorArguments[0].Value is not int parsedUnits ||
                data.ConstructorArguments[1].Value is not int parsedActivation)
            {
                hasAttributeErrors = true;
            }
            else
            {
                units = parsedUnits;
                activation = parsedActivation;
            }

            int init = 0;
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Key == KnownNames.InitProperty && argument.Value.Value is int value)
                {
                    init = value;
                }
                else
                {
                    hasAttributeErrors = true;
                }
            }

            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = syntax?.ArgumentList?.Arguments ?? default;
            var positional = arguments.Where(argument => argument.NameEquals is null).ToList();
            return new LayerSpec(
                units,
                activation,
                init,
                new LayerLocations(
                    Attribute: LocationInfo.From(syntax),
                    Units: LocationInfo.From(positional.Count > 0 ? positional[0] : syntax),
                    Activation: LocationInfo.From(positional.Count > 1 ? positional[1] : syntax),
                    Init: LocationInfo.From(NamedArgument(syntax, KnownNames.InitProperty))));
        }

        /// <summary>Where the <c>Weights = "…"</c> argument is, for the baking diagnostics; null when the attribute has none.</summary>
        public static LocationInfo? WeightsArgument(AttributeSyntax? networkSyntax) =>
            LocationInfo.From(NamedArgument(networkSyntax, KnownNames.WeightsProperty));

        private static bool HasErrors(AttributeData attribute) =>
            attribute.AttributeClass is null or IErrorTypeSymbol ||
            attribute.AttributeConstructor is null ||
            attribute.ConstructorArguments.Any(argument => argument.Kind == TypedConstantKind.Error);

        private static AttributeArgumentSyntax? NamedArgument(AttributeSyntax? syntax, string name) =>
            syntax?.ArgumentList?.Arguments.FirstOrDefault(argument => argument.NameEquals?.Name.Identifier.ValueText == name);

        private static bool IsPartial(TypeDeclarationSyntax declaration) =>
            declaration.Modifiers.Any(modifier => modifier.IsKind(SyntaxKind.PartialKeyword));

        // A declaration the compiler could not name (CS1001) still becomes a symbol, named "" or with a missing token.
        private static bool HasName(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (string.IsNullOrEmpty(current.Name) || !SyntaxFacts.IsValidIdentifier(current.Name))
                {
                    return false;
                }
            }

            // A namespace cut short by a syntax error ("namespace App.;") has a part without a name.
            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            {
                if (!SyntaxFacts.IsValidIdentifier(ns.Name))
                {
                    return false;
                }
            }

            return true;
        }

        private static INamedTypeSymbol? FileLocalType(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.IsFileLocal)
                {
                    return current;
                }
            }

            return null;
        }

        private static string? BaseNetwork(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
            {
                if (current.GetAttributes().Any(attribute => IsAttribute(attribute, KnownNames.NetworkAttribute)))
                {
                    return current.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                }
            }

            return null;
        }

        // The generated constructors chain to this(seed), which calls base() implicitly.
        private static string? BaseWithoutParameterlessConstructor(INamedTypeSymbol type)
        {
            if (type.BaseType is not { SpecialType: not SpecialType.System_Object, TypeKind: TypeKind.Class } baseType)
            {
                return null;
            }

            bool callable = baseType.InstanceConstructors.Any(constructor =>
                constructor.DeclaredAccessibility != Accessibility.Private &&
                constructor.Parameters.All(parameter => parameter.IsOptional || parameter.IsParams));
            return callable ? null : baseType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        }

        private static IEnumerable<ContainingTypeSpec> ContainingTypes(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var chain = new List<ContainingTypeSpec>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var declarations = DeclarationFacts.UserDeclarations(outer, cancellationToken);
                TypeDeclarationSyntax? first = declarations.FirstOrDefault();
                chain.Add(new ContainingTypeSpec(
                    Keyword: first is null ? "class" : Keyword(first),
                    Name: Identifiers.Escape(outer.Name) + Identifiers.TypeParameterList(outer),
                    IsPartial: declarations.Count > 0 && declarations.All(IsPartial),
                    Location: first is null ? null : LocationInfo.From(first.Identifier.GetLocation())));
            }

            chain.Reverse();
            return chain;
        }

        private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };
    }
}
