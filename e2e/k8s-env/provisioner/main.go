// strand-provisioner is the test control plane's storage: a dynamic provisioner for StorageClasses whose
// provisioner is "strand.io/static-provisioner". The PV controller in kube-controller-manager hands it claims
// (by annotating them with volume.kubernetes.io/storage-provisioner, after the scheduler picked a node for
// WaitForFirstConsumer classes); it answers with a hostPath PersistentVolume pre-bound to the claim and pinned
// to that node, deletes Released volumes whose reclaim policy is Delete, and grows volumes whose claims ask for
// more where the class allows expansion (the work an external resizer and the kubelet share on a real cluster). No kubelet mounts anything under
// KWOK, so the directories only make the volumes look like real ones on disk.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	annStorageProvisioner     = "volume.kubernetes.io/storage-provisioner"
	annBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
	annSelectedNode           = "volume.kubernetes.io/selected-node"
	annProvisionedBy          = "pv.kubernetes.io/provisioned-by"
	annDefaultClass           = "storageclass.kubernetes.io/is-default-class"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the control plane")
	name := flag.String("provisioner-name", "strand.io/static-provisioner", "provisioner name in StorageClasses")
	root := flag.String("root", "/tmp/strand-k8s-volumes", "directory that holds the hostPath volumes")
	interval := flag.Duration("interval", 250*time.Millisecond, "how often the informer caches are examined")
	flag.Parse()

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("kubeconfig: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(config)
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, 30*time.Second)
	claims := factory.Core().V1().PersistentVolumeClaims().Lister()
	volumes := factory.Core().V1().PersistentVolumes().Lister()
	classes := factory.Storage().V1().StorageClasses().Lister()
	factory.Start(ctx.Done())
	for informerType, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			log.Fatalf("cache of %v did not sync", informerType)
		}
	}
	log.Printf("provisioning %s volumes under %s", *name, *root)
	p := &provisioner{client: client, name: *name, root: *root}
	ticker := time.NewTicker(*interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		classList, _ := classes.List(labels.Everything())
		claimList, _ := claims.List(labels.Everything())
		for _, claim := range claimList {
			if claim.Spec.VolumeName == "" && claim.Status.Phase == corev1.ClaimPending && p.owns(claim) {
				p.provision(ctx, claim, classFor(claim, classList))
			}
		}
		for _, claim := range claimList {
			if claim.Spec.VolumeName != "" && claim.Status.Phase == corev1.ClaimBound && p.owns(claim) {
				if class := classFor(claim, classList); class != nil && class.AllowVolumeExpansion != nil && *class.AllowVolumeExpansion {
					p.expand(ctx, claim)
				}
			}
		}
		volumeList, _ := volumes.List(labels.Everything())
		for _, pv := range volumeList {
			if pv.Annotations[annProvisionedBy] == p.name && pv.Status.Phase == corev1.VolumeReleased &&
				pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete && pv.DeletionTimestamp == nil {
				p.remove(ctx, pv)
			}
		}
	}
}

type provisioner struct {
	client kubernetes.Interface
	name   string
	root   string
}

func (p *provisioner) owns(claim *corev1.PersistentVolumeClaim) bool {
	return claim.Annotations[annStorageProvisioner] == p.name || claim.Annotations[annBetaStorageProvisioner] == p.name
}

// classFor returns the claim's StorageClass, or the default one when the claim names none.
func classFor(claim *corev1.PersistentVolumeClaim, classes []*storagev1.StorageClass) *storagev1.StorageClass {
	for _, c := range classes {
		if claim.Spec.StorageClassName != nil && *claim.Spec.StorageClassName == c.Name {
			return c
		}
		if claim.Spec.StorageClassName == nil && c.Annotations[annDefaultClass] == "true" {
			return c
		}
	}
	return nil
}

func (p *provisioner) provision(ctx context.Context, claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass) {
	if class == nil {
		return // the class may not be in the cache yet; the next pass retries
	}
	name := "pvc-" + string(claim.UID)
	dir := filepath.Join(p.root, fmt.Sprintf("%s_%s_%s", claim.Namespace, claim.Name, claim.UID))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Printf("claim %s/%s: %v", claim.Namespace, claim.Name, err)
		return
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	hostPathType := corev1.HostPathDirectoryOrCreate
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annProvisionedBy: p.name}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   claim.Spec.AccessModes,
			VolumeMode:                    claim.Spec.VolumeMode,
			StorageClassName:              class.Name,
			PersistentVolumeReclaimPolicy: reclaim,
			MountOptions:                  class.MountOptions,
			ClaimRef: &corev1.ObjectReference{APIVersion: "v1", Kind: "PersistentVolumeClaim",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: dir, Type: &hostPathType}},
		},
	}
	if node := claim.Annotations[annSelectedNode]; node != "" {
		pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{
				Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}}}}
	}
	_, err := p.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	switch {
	case err == nil:
		log.Printf("claim %s/%s: created %s (%s) at %s", claim.Namespace, claim.Name, name,
			claim.Spec.Resources.Requests.Storage(), dir)
	case apierrors.IsAlreadyExists(err):
		// created on an earlier pass; the PV controller binds it
	default:
		log.Printf("claim %s/%s: creating %s: %v", claim.Namespace, claim.Name, name, err)
	}
}

// expand grows the volume, then reports the new size in the claim's status, as a resizer and the kubelet would.
func (p *provisioner) expand(ctx context.Context, claim *corev1.PersistentVolumeClaim) {
	want := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	have := claim.Status.Capacity[corev1.ResourceStorage]
	if want.Cmp(have) <= 0 {
		return
	}
	pv, err := p.client.CoreV1().PersistentVolumes().Get(ctx, claim.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		log.Printf("claim %s/%s: reading volume %s: %v", claim.Namespace, claim.Name, claim.Spec.VolumeName, err)
		return
	}
	if pv.Annotations[annProvisionedBy] != p.name {
		return
	}
	if current := pv.Spec.Capacity[corev1.ResourceStorage]; want.Cmp(current) > 0 {
		pv = pv.DeepCopy()
		pv.Spec.Capacity[corev1.ResourceStorage] = want
		if _, err := p.client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
			log.Printf("claim %s/%s: growing %s: %v", claim.Namespace, claim.Name, pv.Name, err)
			return
		}
	}
	updated := claim.DeepCopy()
	if updated.Status.Capacity == nil {
		updated.Status.Capacity = corev1.ResourceList{}
	}
	updated.Status.Capacity[corev1.ResourceStorage] = want
	if updated.Status.AllocatedResources == nil {
		updated.Status.AllocatedResources = corev1.ResourceList{}
	}
	updated.Status.AllocatedResources[corev1.ResourceStorage] = want
	delete(updated.Status.AllocatedResourceStatuses, corev1.ResourceStorage)
	updated.Status.Conditions = nil
	if _, err := p.client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		log.Printf("claim %s/%s: reporting the new size: %v", claim.Namespace, claim.Name, err)
		return
	}
	log.Printf("claim %s/%s: expanded %s from %s to %s", claim.Namespace, claim.Name, pv.Name, have.String(), want.String())
}

func (p *provisioner) remove(ctx context.Context, pv *corev1.PersistentVolume) {
	err := p.client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		log.Printf("volume %s: deleting: %v", pv.Name, err)
		return
	}
	if pv.Spec.HostPath != nil {
		_ = os.RemoveAll(pv.Spec.HostPath.Path)
	}
	log.Printf("volume %s: released and deleted", pv.Name)
}
