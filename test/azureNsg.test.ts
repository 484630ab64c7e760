/**
 * Every NSG rule of every Azure stack (inline in an NSG or a standalone SecurityRule), checked
 * against what the Network API accepts, not just what the mocks accept (issue 14, finding 1):
 * `"*"` goes in the singular `destinationPortRange`; the plural list holds ports and ranges only.
 */
import * as assert from "node:assert/strict";
import { listStacks, runStack, ProgramRun } from "../scripts/harness";
import { all } from "./util";

const NSG = "azure-native:network:NetworkSecurityGroup";
const RULE = "azure-native:network:SecurityRule";

type Rule = Record<string, any>;

/** A port ("443") or range ("65200-65535") inside 0-65535, as the plural port-range lists take. */
function isPortOrRange(v: unknown): boolean {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(v));
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return lo <= hi && hi <= 65535;
}

/**
 * What the Network API would refuse in one rule (SecurityRulePropertiesFormat): the singular
 * port field takes "*", a port or a range; the plural takes a non-empty list of ports/ranges
 * ("*" is refused there); exactly one of the two; priority 100-4096; one source and one
 * destination address form; protocol, access and direction from the API's enums.
 */
export function nsgRuleErrors(r: Rule): string[] {
    const errors: string[] = [];
    for (const side of ["source", "destination"] as const) {
        const one = r[`${side}PortRange`];
        const many = r[`${side}PortRanges`];
        if ((one === undefined) === (many === undefined)) errors.push(`exactly one of ${side}PortRange and ${side}PortRanges`);
        if (one !== undefined && one !== "*" && !isPortOrRange(one)) errors.push(`${side}PortRange "${one}" is not *, a port or a range`);
        if (many !== undefined) {
            if (!Array.isArray(many) || many.length === 0) errors.push(`${side}PortRanges must be a non-empty list`);
            else
                for (const p of many)
                    if (!isPortOrRange(p))
                        errors.push(`${side}PortRanges entry "${p}" is not a port or range ("*" belongs in ${side}PortRange)`);
        }
        const forms = [`${side}AddressPrefix`, `${side}AddressPrefixes`, `${side}ApplicationSecurityGroups`].filter(
            (k) => r[k] !== undefined,
        );
        if (forms.length !== 1) errors.push(`exactly one ${side} address form, got ${forms.join(", ") || "none"}`);
    }
    if (!Number.isInteger(r.priority) || r.priority < 100 || r.priority > 4096) errors.push(`priority ${r.priority} outside 100-4096`);
    if (!["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"].includes(r.protocol)) errors.push(`protocol "${r.protocol}"`);
    if (!["Allow", "Deny"].includes(r.access)) errors.push(`access "${r.access}"`);
    if (!["Inbound", "Outbound"].includes(r.direction)) errors.push(`direction "${r.direction}"`);
    return errors;
}

/** Every rule of a run, grouped by NSG (standalone rules by their networkSecurityGroupName). */
function rulesByNsg(run: ProgramRun): Map<string, Rule[]> {
    const out = new Map<string, Rule[]>();
    const add = (nsg: string, r: Rule) => out.set(nsg, [...(out.get(nsg) ?? []), r]);
    for (const nsg of all(run, NSG)) {
        out.set(nsg.name, []);
        for (const r of nsg.inputs.securityRules ?? []) add(nsg.name, r);
    }
    for (const r of all(run, RULE)) {
        const owner = [...out.keys()].find((n) => String(r.inputs.networkSecurityGroupName).startsWith(n));
        assert.ok(owner, `standalone rule ${r.name} names an NSG of this stack`);
        add(owner, r.inputs);
    }
    return out;
}

describe("Azure NSG rules as the Network API validates them", () => {
    it('the checker refuses what the API refuses ("*" in the plural list, both forms, bad ports)', () => {
        const ok: Rule = {
            name: "x",
            priority: 100,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefix: "10.0.0.0/24",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRanges: ["443", "8000-8080"],
        };
        assert.deepEqual(nsgRuleErrors(ok), []);
        assert.deepEqual(nsgRuleErrors({ ...ok, destinationPortRanges: undefined, destinationPortRange: "*" }), []);
        assert.match(nsgRuleErrors({ ...ok, destinationPortRanges: ["*"] }).join(), /entry "\*" is not a port or range/);
        assert.match(nsgRuleErrors({ ...ok, destinationPortRange: "*" }).join(), /exactly one of destinationPortRange/);
        assert.match(nsgRuleErrors({ ...ok, destinationPortRanges: ["70000"] }).join(), /"70000"/);
        assert.match(nsgRuleErrors({ ...ok, destinationPortRanges: ["90-80"] }).join(), /"90-80"/);
        assert.match(nsgRuleErrors({ ...ok, priority: 4097 }).join(), /priority/);
    });

    for (const stack of listStacks().filter((s) => s.endsWith("-azure"))) {
        it(`${stack}: every rule of every NSG is valid, names and priorities are unique per NSG`, async () => {
            const byNsg = rulesByNsg(await runStack(stack));
            assert.ok(byNsg.size >= 4, "the gateway, apps, database and endpoints NSGs");
            let count = 0;
            for (const [nsg, rules] of byNsg) {
                for (const r of rules) {
                    assert.deepEqual(nsgRuleErrors(r), [], `${nsg} rule ${r.name}`);
                    count++;
                }
                const names = rules.map((r) => r.name);
                assert.equal(new Set(names).size, names.length, `${nsg}: rule names are unique`);
                for (const dir of ["Inbound", "Outbound"]) {
                    const prios = rules.filter((r) => r.direction === dir).map((r) => r.priority);
                    assert.equal(new Set(prios).size, prios.length, `${nsg}: ${dir} priorities are unique`);
                }
            }
            // The "*" port rules are there and use the singular field (they were in the plural list).
            const star = [...byNsg.values()].flat().filter((r) => r.destinationPortRange === "*");
            assert.ok(star.length >= 4, `${stack}: the any-port rules (${star.length})`);
            assert.ok(count >= 12, `${stack}: ${count} rules checked`);
        });
    }
});
