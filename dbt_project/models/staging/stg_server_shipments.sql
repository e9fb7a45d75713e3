-- One server's compute: general servers FP32 = sockets × FP32 ops per cycle per core × clock
-- × cores (TFLOPS), unless the delivery gives only a mean; AI servers their mean FP16 TFLOPS.
with

delivered as (
    {{ current_delivery_rows('server_shipments') }}
),

typed as (
    select
        {{ to_integer('year') }} as year,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        lower(trim(server_type)) as server_type,
        {{ to_integer('units') }} as units,
        {{ to_double('cpu_sockets') }} as cpu_sockets,
        {{ to_double('fp32_ops_per_cycle') }} as fp32_ops_per_cycle,
        {{ to_double('clock_ghz') }} as clock_ghz,
        {{ to_double('cores_per_cpu') }} as cores_per_cpu,
        {{ to_double('mean_compute_tflops') }} as delivered_compute_tflops,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
),

final as (
    select
        *,
        coalesce(
            cpu_sockets * fp32_ops_per_cycle * clock_ghz * cores_per_cpu / 1000.0,
            delivered_compute_tflops
        ) as mean_compute_tflops
    from typed
)

select * from final
