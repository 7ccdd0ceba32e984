using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using NnGen.Generator.Diagnostics;
using NnGen.Generator.Model;

namespace NnGen.Generator.Validation
{
    /// <summary>
    /// Pure <see cref="NetworkSpec"/> → diagnostics. The analyzer reports what this returns; the generator emits
    /// nothing for a spec with an error, so the user sees one clear diagnostic instead of a cascade.
    /// </summary>
    internal static class NetworkValidator
    {
        public static ImmutableArray<DiagnosticInfo> Validate(NetworkSpec spec)
        {
            var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
            NetworkLocations? at = spec.Locations;
            string name = spec.DisplayName;

            if (spec.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticNetwork, at?.Attribute, name));
            }

            if (!spec.IsPartial)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkNotPartial, at?.Attribute, name));
            }

            foreach (ContainingTypeSpec outer in spec.ContainingTypes.Where(outer => !outer.IsPartial))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, at?.Attribute, outer.Name, name));
            }

            if (spec.Inputs is not { } inputs)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputs, at?.Attribute, name, "Inputs is missing"));
            }
            else if (inputs < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputs, at?.Inputs ?? at?.Attribute, name, "found " + Format(inputs)));
            }
            else if (inputs > NetworkLimits.MaxUnits)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, at?.Inputs ?? at?.Attribute, "Inputs", name, Format(inputs), "inputs", Format(NetworkLimits.MaxUnits)));
            }

            CheckEnum<LossKind>(diagnostics, spec.LossValue, "Loss", name, "Loss", at?.Loss ?? at?.Attribute);
            CheckEnum<InitKind>(diagnostics, spec.InitValue, "Init", name, "Init", at?.Init ?? at?.Attribute);

            if (spec.Layers.Count == 0 && !spec.HasAttributeErrors)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, at?.Attribute, name));
            }

            if (spec.LayerDeclarationCount > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LayersInSeveralDeclarations, at?.SecondLayerDeclaration ?? at?.Attribute, name, Format(spec.LayerDeclarationCount)));
            }

            long parameters = 0;
            long previousUnits = Math.Max(spec.Inputs ?? 1, 1);
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                LayerLocations? layerAt = layer.Locations;
                string layerName = "Layer " + Format(i + 1);
                if (layer.Units < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidUnits, layerAt?.Units, Format(i + 1), name, Format(layer.Units)));
                }
                else if (layer.Units > NetworkLimits.MaxUnits)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, layerAt?.Units, layerName, name, Format(layer.Units), "units", Format(NetworkLimits.MaxUnits)));
                }

                CheckEnum<ActivationKind>(diagnostics, layer.ActivationValue, layerName + " activation", name, "Activation", layerAt?.Activation);
                CheckEnum<InitKind>(diagnostics, layer.InitValue, layerName + " Init", name, "Init", layerAt?.Init ?? layerAt?.Attribute);

                long units = Math.Max(layer.Units, 1);
                parameters += (units * previousUnits) + units;
                previousUnits = units;
            }

            if (parameters > NetworkLimits.MaxParameters)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.NetworkTooLarge, at?.Attribute, "The parameter count", name, parameters.ToString(CultureInfo.InvariantCulture), "parameters", NetworkLimits.MaxParameters.ToString(CultureInfo.InvariantCulture)));
            }

            return diagnostics.ToImmutable();
        }

        /// <summary>True when any diagnostic is an error, or the compiler already rejects the attributes themselves.</summary>
        public static bool CanGenerate(NetworkSpec spec, ImmutableArray<DiagnosticInfo> diagnostics) =>
            !spec.HasAttributeErrors && diagnostics.All(diagnostic => diagnostic.Descriptor.DefaultSeverity != DiagnosticSeverity.Error);

        private static void CheckEnum<TEnum>(ImmutableArray<DiagnosticInfo>.Builder diagnostics, int value, string what, string network, string enumName, LocationInfo? location)
            where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(typeof(TEnum), value))
            {
                string expected = string.Join(", ", Enum.GetNames(typeof(TEnum)).Select(valueName => enumName + "." + valueName));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, location, what, network, Format(value), enumName, expected));
            }
        }

        private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
